import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { BatchActionsService } from './batch-actions.service';
import { Batch } from './batch';

export class CancelBatchDto {
  @ApiPropertyOptional({ maxLength: 150 }) @IsOptional() @IsString() @MaxLength(150)
  reason?: string;
}

function view(b: Batch) {
  return {
    batchId: b.id,
    status: b.state,
    statusReason: b.stateReason,
    retryOf: b.retryOf,
    instructionCount: b.instructionCount,
    approvedBy: b.approvedBy,
    approvedAt: b.approvedAt,
    pollingPath: `/api/v1/batch/summary?batchId=${b.id}`,
  };
}

@ApiTags('bulk disbursement: operators')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('api/v1/batches')
export class BatchActionsController {
  constructor(private readonly actions: BatchActionsService) {}

  @Post(':batchId/approve')
  @HttpCode(200)
  @RequireScopes('bulk:approve')
  @ApiOperation({ summary: 'Approve a batch awaiting approval; the participant that submitted it cannot (maker-checker)' })
  async approve(@Param('batchId') id: string, @Ctx() ctx: RequestContext) {
    return view(await this.actions.approve(ctx, id));
  }

  @Post(':batchId/reject')
  @HttpCode(200)
  @RequireScopes('bulk:approve')
  @ApiOperation({ summary: 'Reject a batch awaiting approval: it is cancelled, its reservation released; not by its maker (maker-checker)' })
  async reject(@Param('batchId') id: string, @Body() dto: CancelBatchDto, @Ctx() ctx: RequestContext) {
    return view(await this.actions.reject(ctx, id, dto.reason));
  }

  @Post(':batchId/cancel')
  @HttpCode(200)
  @RequireScopes('bulk:read')
  @ApiOperation({ summary: 'Cancel a batch before anything went to the payer FSP; its reservation is released (operator, or the source BB itself)' })
  async cancel(@Param('batchId') id: string, @Body() dto: CancelBatchDto, @Ctx() ctx: RequestContext) {
    return view(await this.actions.cancel(ctx, id, dto.reason));
  }

  @Post(':batchId/retry')
  @HttpCode(201)
  @RequireScopes('bulk:read')
  @ApiOperation({ summary: 'Send the failed instructions of a finished batch again, as a new batch linked to it' })
  async retry(@Param('batchId') id: string, @Ctx() ctx: RequestContext) {
    return view(await this.actions.retry(ctx, id));
  }
}
