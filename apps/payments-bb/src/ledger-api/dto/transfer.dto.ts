import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { TRANSFER_KINDS, TransferKind } from '@app/ledger';
import { AccountDto } from './account.dto';
import {
  CURRENCY,
  CURRENCY_MESSAGE,
  DECIMAL,
  DECIMAL_MESSAGE,
  LOWER_UUID,
  LOWER_UUID_MESSAGE,
  MAX_BATCH,
  MAX_TIMEOUT_SECONDS,
  TRANSFER_CODE,
  TRANSFER_CODE_MESSAGE,
} from './patterns';

export class ReferenceDto {
  @ApiProperty({
    example: 'batch',
    description: 'Type of the business object: batch, instruction, voucher, bill…',
  })
  @IsString()
  @Length(1, 64)
  type: string;

  @ApiProperty({ example: 'B-2025-000123' })
  @IsString()
  @Length(1, 128)
  id: string;
}

export class CreateTransferDto {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the caller: the idempotency key of the transfer' })
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  id: string;

  @ApiProperty({ enum: ['posted', 'pending'] })
  @IsIn(['posted', 'pending'])
  kind: 'posted' | 'pending';

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  debitAccountId: string;

  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  creditAccountId: string;

  @ApiProperty({
    example: '25.00',
    description: 'Decimal string, at most as many decimals as the currency has',
  })
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  amount: string;

  @ApiProperty({ example: 'USD', description: "Must be both accounts' currency" })
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency: string;

  @ApiProperty({ example: 'disbursement', pattern: TRANSFER_CODE.source, description: 'Reason code' })
  @IsString()
  @Matches(TRANSFER_CODE, { message: TRANSFER_CODE_MESSAGE })
  code: string;

  @ApiPropertyOptional({
    description: 'Pending only: seconds until the reservation expires',
    maximum: MAX_TIMEOUT_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number;

  @ApiPropertyOptional({ type: ReferenceDto, description: 'The business object this transfer belongs to' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReferenceDto)
  reference?: ReferenceDto;
}

export class CreateTransferBatchDto {
  @ApiProperty({ type: [CreateTransferDto], minItems: 1, maxItems: MAX_BATCH })
  // Items are checked by checkTransferItem (same rules, ~100x faster than class-validator on 10,000 items).
  @IsArray()
  @ArrayMinSize(1)
  transfers: unknown[];
}

export class PostPendingDto {
  @ApiProperty({ format: 'uuid', description: 'ID of the posting transfer (idempotency key)' })
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  id: string;

  @ApiPropertyOptional({
    example: '20.00',
    description: 'Defaults to the full reserved amount; may be smaller',
  })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  amount?: string;

  @ApiPropertyOptional({ example: 'pending.posted', default: 'pending.posted' })
  @IsOptional()
  @IsString()
  @Matches(TRANSFER_CODE, { message: TRANSFER_CODE_MESSAGE })
  code?: string;
}

export class VoidPendingDto {
  @ApiProperty({ format: 'uuid', description: 'ID of the voiding transfer (idempotency key)' })
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  id: string;

  @ApiPropertyOptional({ example: 'pending.voided', default: 'pending.voided' })
  @IsOptional()
  @IsString()
  @Matches(TRANSFER_CODE, { message: TRANSFER_CODE_MESSAGE })
  code?: string;
}

export class TransferReferenceDto {
  @ApiProperty() type: string;
  @ApiProperty() id: string;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TRANSFER_KINDS }) kind: TransferKind;
  @ApiProperty({ format: 'uuid' }) debitAccountId: string;
  @ApiProperty({ format: 'uuid' }) creditAccountId: string;
  @ApiProperty({ example: '25.00' }) amount: string;
  @ApiProperty({ example: '2500' }) amountMinor: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty() code: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The reservation a post/void resolves',
  })
  pendingId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Pending only: when it expires' })
  timeoutAt: string | null;
  @ApiProperty({ nullable: true, type: TransferReferenceDto }) reference: TransferReferenceDto | null;
  @ApiProperty() createdAt: string;
}

export class TransferResultDto extends TransferDto {
  @ApiProperty({ description: 'False when the ID already existed with identical fields (a replay)' })
  created: boolean;
}

export class TransferBatchResultDto {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'How many were new (the rest were identical replays)' }) created: number;
  @ApiProperty({ type: [TransferResultDto] }) results: TransferResultDto[];
}

export class FundResultDto {
  @ApiProperty({ type: TransferResultDto }) transfer: TransferResultDto;
  @ApiProperty({ type: AccountDto, description: 'The funded account after the transfer' })
  account: AccountDto;
}
