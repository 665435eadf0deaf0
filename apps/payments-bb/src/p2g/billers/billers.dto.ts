import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsMinorUnits } from '../minor-units';
import { AMOUNT_EXACTNESS, AmountExactness } from './biller';

const URL_OPTS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class SettlementAccountDto {
  @ApiProperty({ example: 'CBKEKENX', description: "BIC or bank code of the biller's collection account" })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,11}$/)
  bankCode: string;

  @ApiProperty({ example: '0011223344' })
  @IsString()
  @Matches(/^[A-Za-z0-9 -]{1,34}$/)
  accountNumber: string;

  @ApiPropertyOptional({ example: 'Nairobi Water Collections' })
  @IsOptional()
  @IsString()
  @MaxLength(140)
  accountName?: string;
}

export class PaymentRulesDto {
  @ApiProperty({
    enum: AMOUNT_EXACTNESS,
    description: 'EXACT, EXACT_UP (exact or above), EXACT_DOWN (exact or below), ANY',
  })
  @IsIn(AMOUNT_EXACTNESS)
  amountExactness: AmountExactness;

  @ApiPropertyOptional({
    description: 'Whether less than the amount due may be paid (down to minAmount)',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  partialPayment?: boolean;

  @ApiPropertyOptional({
    description:
      'Smallest payment, minor units (a payment of the whole outstanding amount is always allowed)',
    example: 10000,
  })
  @IsOptional()
  @IsMinorUnits()
  minAmount?: number | string;
}

export class BillerAuthDto {
  @ApiProperty({
    example: 'Authorization',
    description: 'Header the server sends on every call to the biller',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,64}$/)
  headerName: string;

  @ApiProperty({ example: 'Bearer s3cr3t', description: 'Stored encrypted, never shown again' })
  @IsString()
  @MaxLength(4096)
  headerValue: string;
}

export class DigitLinkDto {
  @ApiProperty({ example: 'pb.amritsar', description: 'The DIGIT tenant whose bills these are' })
  @IsString()
  @Matches(/^[a-z][a-z0-9]*(\.[a-z0-9]+)?$/)
  tenantId: string;

  @ApiProperty({
    example: 'WS',
    description: 'Its business service; a bill ID is the prefix and a consumer code',
  })
  @IsString()
  @Matches(/^[!-~][ -~]{0,127}$/)
  businessService: string;
}

export class OnboardBillerDto {
  @ApiProperty({ example: 'Nairobi City Water and Sewerage' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/)
  name: string;

  @ApiPropertyOptional({
    example: 'NCWSC',
    description:
      'Up to 10 characters, shown to payers (billerName in the API). Defaults to the start of name',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\S.{0,9}$/)
  shortName?: string;

  @ApiProperty({ enum: ['biller', 'aggregator'] })
  @IsIn(['biller', 'aggregator'])
  kind: 'biller' | 'aggregator';

  @ApiPropertyOptional({
    example: 'https://billing.water.example.gov/pbb',
    description: 'Where GET /bills/{billId} and POST /billTransferRequests are sent (or give digit)',
  })
  @IsOptional()
  @IsUrl(URL_OPTS)
  @MaxLength(500)
  baseUrl?: string;

  @ApiPropertyOptional({
    type: () => DigitLinkDto,
    description: "An internal biller: a DIGIT tenant's business service on this server (instead of baseUrl)",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => DigitLinkDto)
  digit?: DigitLinkDto;

  @ApiPropertyOptional({ default: 3000, description: 'Timeout of a bill inquiry to this biller' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60000)
  timeoutMs?: number;

  @ApiPropertyOptional({ type: BillerAuthDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BillerAuthDto)
  auth?: BillerAuthDto;

  @ApiProperty({ example: ['KES'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(/^[A-Z]{3}$/, { each: true })
  currencies: string[];

  @ApiProperty({ type: SettlementAccountDto })
  @ValidateNested()
  @Type(() => SettlementAccountDto)
  settlementAccount: SettlementAccountDto;

  @ApiProperty({ type: PaymentRulesDto })
  @ValidateNested()
  @Type(() => PaymentRulesDto)
  rules: PaymentRulesDto;

  @ApiPropertyOptional({
    type: [String],
    description: 'More URL bases the biller may receive callbacks under (RTP results); baseUrl is always one',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUrl(URL_OPTS, { each: true })
  callbackBases?: string[];
}

export class UpdateBillerDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/\S/)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTS)
  @MaxLength(500)
  baseUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60000)
  timeoutMs?: number;

  @ApiPropertyOptional({ type: BillerAuthDto, nullable: true, description: 'null removes the header' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BillerAuthDto)
  auth?: BillerAuthDto | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @Matches(/^[A-Z]{3}$/, { each: true })
  currencies?: string[];

  @ApiPropertyOptional({ type: PaymentRulesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PaymentRulesDto)
  rules?: PaymentRulesDto;

  @ApiPropertyOptional({ enum: ['active', 'suspended'] })
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';
}

export class DecisionDto {
  @ApiPropertyOptional({ example: 'Documents checked' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
