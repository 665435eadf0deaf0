import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ACCOUNT_KINDS, AccountKind, TRANSFER_KINDS, TransferKind } from '@app/ledger';
import {
  ACCOUNT_CODE,
  ACCOUNT_CODE_MESSAGE,
  CURRENCY,
  CURRENCY_MESSAGE,
  DECIMAL,
  DECIMAL_MESSAGE,
  LOWER_UUID,
  LOWER_UUID_MESSAGE,
} from './patterns';

export class CreateAccountDto {
  @ApiProperty({ example: 'program:cash-transfer:USD', pattern: ACCOUNT_CODE.source })
  @IsString()
  @Matches(ACCOUNT_CODE, { message: ACCOUNT_CODE_MESSAGE })
  code: string;

  @ApiProperty({ example: 'Cash transfer programme (USD)' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'USD', description: 'Active ISO 4217 code; the account holds this currency only' })
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency: string;

  @ApiProperty({ enum: ACCOUNT_KINDS })
  @IsIn(ACCOUNT_KINDS)
  kind: AccountKind;

  @ApiPropertyOptional({
    description: 'Refuse debits beyond credits. Defaults to true for program_funding, else false',
  })
  @IsOptional()
  @IsBoolean()
  debitsMustNotExceedCredits?: boolean;

  @ApiPropertyOptional({ description: 'Refuse credits beyond debits. Defaults to false' })
  @IsOptional()
  @IsBoolean()
  creditsMustNotExceedDebits?: boolean;

  @ApiPropertyOptional({
    description: 'Free text, e.g. the programme or budget line this account funds',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;
}

export class AccountQueryDto {
  @ApiPropertyOptional({ example: 'USD' })
  @IsOptional()
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency?: string;

  @ApiPropertyOptional({ enum: ACCOUNT_KINDS })
  @IsOptional()
  @IsIn(ACCOUNT_KINDS)
  kind?: AccountKind;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

export class FundAccountDto {
  @ApiProperty({
    example: '1000.00',
    description: 'Decimal string, at most as many decimals as the currency has',
  })
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  amount: string;

  @ApiProperty({ example: 'USD', description: "Must be the account's currency" })
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency: string;

  @ApiProperty({
    example: 'BUDGET-2025-Q3-0042',
    description: 'The funding reference (budget release, treasury order…)',
  })
  @IsString()
  @Length(1, 128)
  reference: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Makes the funding idempotent; generated when omitted',
  })
  @IsOptional()
  @IsString()
  @Matches(LOWER_UUID, { message: LOWER_UUID_MESSAGE })
  transferId?: string;
}

export class StatementQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}

/** Balances as exact decimal strings in the account's currency, and the same figures in minor units. */
export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ enum: ACCOUNT_KINDS }) kind: AccountKind;
  @ApiProperty() debitsMustNotExceedCredits: boolean;
  @ApiProperty() creditsMustNotExceedDebits: boolean;
  @ApiProperty({ nullable: true, type: String }) reference: string | null;
  @ApiProperty({ example: '250.00' }) debitsPosted: string;
  @ApiProperty({ example: '1000.00' }) creditsPosted: string;
  @ApiProperty({ example: '100.00' }) debitsPending: string;
  @ApiProperty({ example: '0.00' }) creditsPending: string;
  @ApiProperty({
    example: '650.00',
    description:
      'Debit-limited: credits posted − debits posted − debits pending. Credit-limited: debits posted − credits ' +
      'posted − credits pending. Otherwise credits posted − debits posted',
  })
  available: string;
  @ApiProperty({ example: '25000' }) debitsPostedMinor: string;
  @ApiProperty({ example: '100000' }) creditsPostedMinor: string;
  @ApiProperty({ example: '10000' }) debitsPendingMinor: string;
  @ApiProperty({ example: '0' }) creditsPendingMinor: string;
  @ApiProperty({ example: '65000' }) availableMinor: string;
  @ApiProperty() createdAt: string;
}

export class AccountListDto {
  @ApiProperty({ type: [AccountDto] }) items: AccountDto[];
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class StatementLineDto {
  @ApiProperty({ format: 'uuid' }) transferId: string;
  @ApiProperty({ enum: ['debit', 'credit'] }) direction: 'debit' | 'credit';
  @ApiProperty({ example: '12.50' }) amount: string;
  @ApiProperty({ example: '1250' }) amountMinor: string;
  @ApiProperty() currency: string;
  @ApiProperty({ enum: TRANSFER_KINDS }) kind: TransferKind;
  @ApiProperty() code: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) pendingId: string | null;
  @ApiProperty({ nullable: true, type: String }) referenceType: string | null;
  @ApiProperty({ nullable: true, type: String }) referenceId: string | null;
  @ApiProperty({ format: 'uuid' }) counterpartyAccountId: string;
  @ApiProperty({ description: 'ISO 8601, UTC, microseconds' }) createdAt: string;
}

export class StatementDto {
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty({ type: [StatementLineDto] }) items: StatementLineDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `after` for the next page; null on the last',
  })
  nextCursor: string | null;
}
