import { BadRequestException, Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiHeaders, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { BatchHeaders, BatchSubmissionService } from './batch-submission.service';
import { BatchHeadersOf, OPTIONAL_BATCH_HEADERS } from './batch-headers';
import { V3BatchAcceptedDto, V3CreditInstructionDto } from './ingest.dto';

@ApiTags('bulk disbursement (GovStack v3)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('bulk:submit')
@Controller()
export class V3BatchController {
  constructor(private readonly submission: BatchSubmissionService) {}

  @Post('batchtransactions')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Hand over a batch: JSON (type=raw) or a CSV file (type=csv, streamed) (api-v3 v1_0_1_fixed_BulkPayment.yml)',
    description:
      'CSV: text/csv body or multipart/form-data with one file. Header row with instruction_id, payee_functional_id (or ' +
      'payee_identifier_type + payee_identifier), amount, currency, and optionally narration, payment_mode, institution_code.',
  })
  @ApiQuery({ name: 'type', enum: ['raw', 'csv'] })
  @ApiHeaders([
    { name: 'X-CorrelationID', required: true, description: 'Identifies the request; a retry with the same value is the same batch' },
    { name: 'X-Registering-Institution-Id', required: false, description: 'Source BB code the batch is for (default: the caller)' },
    ...OPTIONAL_BATCH_HEADERS,
  ])
  @ApiConsumes('application/json', 'text/csv', 'multipart/form-data')
  @ApiBody({ type: [V3CreditInstructionDto] })
  @ApiAcceptedResponse({ type: V3BatchAcceptedDto })
  async submit(
    @Query('type') type: string,
    @Req() req: Request,
    @Body() body: unknown,
    @Ctx() ctx: RequestContext,
    @BatchHeadersOf() h: BatchHeaders,
  ): Promise<V3BatchAcceptedDto> {
    if (type !== 'raw' && type !== 'csv') throw new BadRequestException("Query parameter type must be 'raw' or 'csv'");
    const { batch, invalid } = type === 'raw' ? await this.submission.v3Json(ctx, body, h) : await this.submission.v3Csv(ctx, req, h);
    return { batchId: batch.id, pollingPath: `/api/v1/batch/summary?batchId=${batch.id}`, rejectedAtIntake: invalid };
  }
}
