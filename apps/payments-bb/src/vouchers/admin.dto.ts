import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export class CreateVoucherGroupDto {
  @ApiProperty({ example: 'Payment Voucher' }) @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/) code: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ example: 'KES' }) @Matches(/^[A-Z]{3}$/) currency: string;
  @ApiProperty({
    description: 'The program whose funding account backs the vouchers and whose payer FSP pays merchants',
  })
  @IsString()
  programCode: string;
  @ApiPropertyOptional({
    type: [String],
    example: ['10.00', '50.00'],
    description: 'Allowed amounts; empty: any',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  denominations?: string[];
  @ApiPropertyOptional({ default: 365 }) @IsOptional() @IsInt() @Min(1) @Max(3660) validityDays?: number;
  @ApiPropertyOptional({ description: 'A date after which no voucher of the group is valid' })
  @IsOptional()
  @IsISO8601()
  expiresOn?: string;
  @ApiPropertyOptional({
    type: [String],
    description: 'Merchant groups that may redeem, besides the group code itself',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  merchantGroups?: string[];
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(0) lowStockThreshold?: number;
}

export class UpdateVoucherGroupDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  denominations?: string[];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(3660) validityDays?: number;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() expiresOn?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  merchantGroups?: string[];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) lowStockThreshold?: number;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?:
    'active' | 'disabled';
}

export class ProvisionDto {
  @ApiProperty({ example: 1000 }) @IsInt() @Min(1) @Max(1_000_000) count: number;
  @ApiProperty({ example: '50.00' }) @IsString() amount: string;
}

export class MerchantDto {
  @ApiProperty({ example: 'M-0001' }) @Matches(/^[A-Za-z0-9._-]{1,40}$/) code: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({
    description: 'Where the payer FSP credits the merchant (personal data: stored encrypted, shown masked)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  financialAddress: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) fspCode?: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  merchantGroups: string[];
  @ApiPropertyOptional({
    description: 'The merchant gateway participant that redeems for this merchant, if any',
  })
  @IsOptional()
  @IsString()
  participantCode?: string;
}

export class PartnerKeyDto {
  @ApiProperty({
    description: 'Public RSA key (JWK, at least 2048 bits) the building block decrypts voucher files with',
  })
  @IsObject()
  jwk: Record<string, unknown>;
}
