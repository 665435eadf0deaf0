import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsString, Length } from 'class-validator';

export class V1BeneficiaryDoc {
  @ApiProperty({ minLength: 20, maxLength: 20, example: 'PayeeFunctionalID111' })
  PayeeFunctionalID: string;

  @ApiPropertyOptional({
    minLength: 2,
    maxLength: 2,
    enum: ['00', '01', '02', '03', '04'],
    description: '00 bank account, 01 mobile money, 02 voucher, 03 digital wallet, 04 proxy. If left out, inferred from a valid IBAN (00) or E.164 number (01).',
  })
  PaymentModality?: string;

  @ApiPropertyOptional({ maxLength: 30, example: 'NL87ABNA4193835510' })
  FinancialAddress?: string;

  @ApiPropertyOptional({ maxLength: 11, description: 'Extension (spec 7.1.1): the beneficiary bank institution code' })
  BankingInstitutionCode?: string;
}

/** GovStack v1 register/update request. Items are checked by parseBeneficiaries (bulk-sized). */
export class V1BeneficiariesRequestDto {
  @ApiProperty({ minLength: 12, maxLength: 12, example: 'RequestID111' })
  @IsString() @Length(12, 12)
  RequestID: string;

  @ApiProperty({ minLength: 12, maxLength: 12, example: 'SourceBBID11' })
  @IsString() @Length(12, 12)
  SourceBBID: string;

  @ApiProperty({ type: [V1BeneficiaryDoc], minItems: 1 })
  @IsArray()
  Beneficiaries: unknown[];
}

export class V1FailedCaseDoc {
  @ApiProperty() PayeeFunctionalID: string;
  @ApiPropertyOptional() PaymentModality?: string;
  @ApiPropertyOptional() BankingInstitutionCode?: string;
  @ApiProperty({ maxLength: 100 }) FailureReason: string;
}

export class V1ResponseDto {
  @ApiProperty({ example: '00', description: '00 accepted and processed; 01 rejected (see ResponseDescription)' })
  ResponseCode: string;

  @ApiProperty({ maxLength: 200 })
  ResponseDescription: string;

  @ApiProperty({ minLength: 12, maxLength: 12, nullable: true })
  RequestID: string | null;

  @ApiPropertyOptional({
    type: [V1FailedCaseDoc],
    description: 'Extension: the beneficiaries that were not registered/updated and why (present when any failed)',
  })
  FailedCases?: V1FailedCaseDoc[];
}
