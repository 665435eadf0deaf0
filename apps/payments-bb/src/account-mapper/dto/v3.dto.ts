import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class V3BeneficiaryDoc {
  @ApiProperty({ maxLength: 20 }) payeeIdentity: string;
  @ApiPropertyOptional({ maxLength: 2, enum: ['00', '01', '02', '03', '04'], description: 'Also accepted as PaymentModality' })
  paymentModality?: string;
  @ApiPropertyOptional({ maxLength: 30, description: 'Also accepted as FinancialAddress' })
  financialAddress?: string;
  @ApiPropertyOptional({ maxLength: 11 }) bankingInstitutionCode?: string;
}

export class V3UpdateBeneficiaryDoc extends V3BeneficiaryDoc {
  @ApiPropertyOptional({ enum: ['0', '1'], description: "'1' active, '0' inactive (no longer resolves in lookups)" })
  status?: string;
}

/** RegisterBeneficiaryRequest.yml uses RequestID/Beneficiaries; camelCase is accepted too. */
export class V3RegisterRequestDto {
  @ApiPropertyOptional({ maxLength: 12, description: 'Required (or as requestID)' })
  @IsOptional() @IsString() @Length(1, 12)
  RequestID?: string;

  @ApiPropertyOptional({ maxLength: 12 })
  @IsOptional() @IsString() @Length(1, 12)
  requestID?: string;

  @ApiPropertyOptional({ type: [V3BeneficiaryDoc], description: 'Required (or as beneficiaries)' })
  @IsOptional() @IsArray()
  Beneficiaries?: unknown[];

  @ApiPropertyOptional({ type: [V3BeneficiaryDoc] })
  @IsOptional() @IsArray()
  beneficiaries?: unknown[];
}

export class V3UpdateRequestDto extends V3RegisterRequestDto {
  @ApiPropertyOptional({ maxLength: 12, description: 'Required (or as SourceBBID): the registering institution' })
  @IsOptional() @IsString() @Length(1, 64)
  sourceBBID?: string;

  @ApiPropertyOptional({ maxLength: 12 })
  @IsOptional() @IsString() @Length(1, 64)
  SourceBBID?: string;
}

export class V3AckDto {
  @ApiProperty({ example: '00' }) responseCode: string;
  @ApiProperty({ maxLength: 200 }) responseDescription: string;
  @ApiProperty({ maxLength: 12 }) requestID: string;
}

export class V3BulkLookupDto {
  @ApiProperty({ maxLength: 12 })
  @IsString() @Length(1, 12)
  requestId: string;

  @ApiProperty({ type: [String], maxItems: 200000, description: 'Functional IDs to resolve' })
  @IsArray() @ArrayMaxSize(1_000_000) @IsString({ each: true }) @MaxLength(20, { each: true })
  payeePartyIds: string[];
}

export class V3PaymentModalityEntry {
  @ApiProperty() payeeIdentity: string;
  @ApiProperty() paymentModality: string;
  @ApiProperty({ nullable: true }) financialAddress: string | null;
  @ApiProperty({ nullable: true }) bankingInstitutionCode: string | null;
}

export class V3LookupResponseDto {
  @ApiProperty() requestId: string;
  @ApiProperty({ type: [V3PaymentModalityEntry] }) paymentModalityList: V3PaymentModalityEntry[];
  @ApiPropertyOptional({ type: [String], description: 'Extension: IDs that are not registered (or inactive) for this institution' })
  unresolvedPayeeIdentities?: string[];
}

export class V3RequestStatusDto {
  @ApiProperty() requestID: string;
  @ApiProperty({ enum: ['register', 'update'] }) operation: string;
  @ApiProperty({ enum: ['accepted', 'completed'] }) status: string;
  @ApiProperty() numberOfBeneficiaries: number;
  @ApiProperty({ nullable: true }) numberFailedCases: number | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, nullable: true }) failedCases: unknown[] | null;
  @ApiProperty({ nullable: true }) callbackDeliveryId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true }) completedAt: string | null;
}
