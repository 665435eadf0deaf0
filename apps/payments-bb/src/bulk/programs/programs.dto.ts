import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const CODE = /^[A-Za-z0-9._-]{1,20}$/;
const PARTICIPANT_CODE = /^[A-Za-z0-9._-]{1,64}$/;

export class CreateProgramDto {
  @ApiProperty({ example: 'CASH-2026', description: 'Sent by source BBs as X-Program-Id' })
  @IsString() @Matches(CODE, { message: 'code must be 1-20 letters, digits, . _ or -' })
  code: string;

  @ApiProperty({ example: 'Unconditional cash transfer 2026' })
  @IsString() @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'TZS' })
  @IsString() @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency: string;

  @ApiProperty({ example: 'PAYERBANK', description: 'Code of the payer FSP participant (kind fsp) holding the disbursement account' })
  @IsString() @Matches(PARTICIPANT_CODE)
  payerFspCode: string;

  @ApiProperty({ example: 'TZ-MOF-0001', description: 'The disbursing account at the payer FSP (sent in getAuthorization)' })
  @IsString() @Length(1, 34)
  payerIdentifier: string;

  @ApiPropertyOptional({ type: [String], description: 'Source BB codes allowed to pay from this program; empty or absent: all' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Matches(PARTICIPANT_CODE, { each: true })
  sourceBbCodes?: string[];

  @ApiPropertyOptional({ default: true, description: 'Maker-checker: a second operator must approve each batch' })
  @IsOptional() @IsBoolean()
  requiresApproval?: boolean;

  @ApiPropertyOptional({ default: 1000 })
  @IsOptional() @IsInt() @Min(1) @Max(100_000)
  subBatchSize?: number;

  @ApiPropertyOptional({ default: 8, description: 'Sub-batches of one batch at the payer FSP at once (throttling)' })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  maxInFlight?: number;
}

export class UpdateProgramDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @Matches(PARTICIPANT_CODE, { each: true })
  sourceBbCodes?: string[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean()
  requiresApproval?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(100_000)
  subBatchSize?: number;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(1000)
  maxInFlight?: number;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

export class PutFspConnectorDto {
  @ApiProperty({ example: 'https://connector.payerbank.example/pbb', description: 'Must lie under one of the FSP participant\'s callback bases' })
  @IsString() @Length(1, 500)
  baseUrl: string;

  @ApiPropertyOptional({ default: 10000 })
  @IsOptional() @IsInt() @Min(100) @Max(120_000)
  timeoutMs?: number;
}
