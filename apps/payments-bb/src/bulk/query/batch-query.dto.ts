import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { BATCH_STATES } from '../domain/batch-state';
import { INSTRUCTION_STATES } from '../domain/instruction-state';

/*
 * Query parameters arrive as strings and stay strings here: the numbers are parsed strictly by
 * `parsePaging`/`parseIntParam` (batch-views.ts), which refuse `1e3`, `0x10` or `1.5` that a plain
 * Number() conversion would let through.
 */

/** Which batch: our UUID, or the client's own BatchID (v1) within the caller's tenant. */
export class BatchRefQueryDto {
  @ApiProperty({
    maxLength: 64,
    description:
      "The batchId returned at submission (UUID), or the client's v1 BatchID. A BatchID naming more than one " +
      'batch the caller can see answers 409: ask with the UUID.',
  })
  @IsString()
  @Length(1, 64)
  batchId: string;

  /** BatchDetails.yml lists the client's correlation ID as a query parameter; it is accepted and not used. */
  @ApiPropertyOptional({
    name: 'X-CorrelationID',
    maxLength: 128,
    description: 'Accepted for GovStack compatibility; not used',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  'X-CorrelationID'?: string;
}

const STATUS_HELP =
  `ISO 20022 status (PDNG, ACCP, ACSC, RJCT) or internal state (${INSTRUCTION_STATES.join(', ')}); ` +
  'several separated by commas';

export class BatchDetailQueryDto extends BatchRefQueryDto {
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, description: 'Page number, from 0' })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  pageNo?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  pageSize?: string;

  @ApiPropertyOptional({ description: STATUS_HELP, example: 'RJCT' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  status?: string;

  @ApiPropertyOptional({
    enum: ['OUTGOING', 'INCOMING'],
    description: 'Every bulk instruction is OUTGOING; INCOMING answers an empty page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  direction?: string;
}

export class InstructionQueryDto extends BatchRefQueryDto {
  @ApiProperty({ maxLength: 64, description: 'The InstructionID the client gave the credit instruction' })
  @IsString()
  @Length(1, 64)
  instructionId: string;
}

export class BatchListQueryDto {
  @ApiPropertyOptional({ enum: BATCH_STATES })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  state?: string;

  @ApiPropertyOptional({ example: 'CASH-2025' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  programCode?: string;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  limit?: string;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsString()
  @MaxLength(12)
  offset?: string;
}
