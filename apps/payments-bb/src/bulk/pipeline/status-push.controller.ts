import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { actorOf, AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { SettlementService } from './settlement.service';
import { BatchPipeline } from './batch-pipeline.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class InstructionStatusReportDto {
  @ApiProperty() @IsString() @MaxLength(64)
  instructionId: string;

  @ApiProperty({ enum: ['PDNG', 'ACCP', 'ACSC', 'RJCT'] }) @IsIn(['PDNG', 'ACCP', 'ACSC', 'RJCT'])
  status: 'PDNG' | 'ACCP' | 'ACSC' | 'RJCT';

  @ApiPropertyOptional({ description: 'ISO 20022 ExternalStatusReason1Code, e.g. AC04' })
  @IsOptional() @Matches(/^[A-Z0-9]{4}$/, { message: 'reasonCode must be a 4-character ISO 20022 reason code' })
  reasonCode?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  reason?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  fspReference?: string;
}

/**
 * BulkPayment_StatusPush (spec 9.1.3). BulkPaymentStatusUpdate.yml gives only batch totals, which cannot settle
 * instructions one by one; the body here carries per-instruction statuses (docs/fsp-connector.md). The YAML's
 * summary fields may be sent too and are ignored: the server counts for itself.
 */
export class StatusPushDto {
  @ApiProperty() @Matches(UUID, { message: 'subBatchId must be the sub-batch UUID the server sent' })
  subBatchId: string;

  @ApiProperty({ type: [InstructionStatusReportDto] })
  @IsArray() @ArrayMaxSize(100_000) @ValidateNested({ each: true }) @Type(() => InstructionStatusReportDto)
  instructions: InstructionStatusReportDto[];
}

export class StatusPushResultDto {
  @ApiProperty() applied: number;
  @ApiProperty({ description: 'Instructions already final (a final status never changes) or repeated' }) ignored: number;
  @ApiProperty({ description: 'Instruction IDs not in the sub-batch' }) unknown: number;
  @ApiProperty() batchState: string;
}

@ApiTags('bulk disbursement: payer FSP')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('bulk:status')
@Controller()
export class StatusPushController {
  constructor(
    private readonly settlement: SettlementService,
    private readonly pipeline: BatchPipeline,
  ) {}

  @Post('api/v1/batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Status push from the payer FSP: per-instruction ISO 20022 statuses of one sub-batch' })
  @ApiOkResponse({ type: StatusPushResultDto })
  async push(@Query('batchId') batchId: string, @Body() dto: StatusPushDto, @Ctx() ctx: RequestContext): Promise<StatusPushResultDto> {
    if (!UUID.test(batchId ?? '')) throw new AppException(ErrorCode.VALIDATION_FAILED, 'batchId must be the batch UUID given in the status push URL');
    const p = ctx.principal;
    // An FSP reports only on its own batches; an operator (scope '*') may post a status by hand.
    const fspId = p.scopes.includes('*') ? null : (p.participantId ?? '');
    const result = await this.settlement.apply(p.tenantId, batchId, dto.subBatchId, dto.instructions, actorOf(p), fspId);
    if (result.subBatchClosed) await this.pipeline.pump(batchId);
    return { applied: result.applied, ignored: result.ignored, unknown: result.unknown, batchState: result.batchState };
  }
}
