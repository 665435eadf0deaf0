import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiHeaders, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { BatchHeaders } from './batch-submission.service';
import { BatchSubmissionService } from './batch-submission.service';
import { BatchHeadersOf, OPTIONAL_BATCH_HEADERS } from './batch-headers';
import { V1BulkPaymentDto, V1BulkPaymentResponseDto } from './ingest.dto';

@ApiTags('bulk disbursement (GovStack v1)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('bulk:submit')
@Controller()
export class V1BulkController {
  constructor(private readonly submission: BatchSubmissionService) {}

  @Post('bulk-payment')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand over a batch of credit instructions (api-v1 bulkpayment.yaml)',
    description:
      'Accepted synchronously (ResponseCode 00) once stored; processing continues in the background. Instructions failing a field rule are ' +
      'rejected alone; a batch with no valid instruction is refused with 01. A repeated BatchID with the same body returns the same answer.',
  })
  @ApiHeaders(OPTIONAL_BATCH_HEADERS)
  @ApiOkResponse({ type: V1BulkPaymentResponseDto })
  @ApiBadRequestResponse({ description: 'ResponseCode 01: missing/invalid fields, empty CreditInstructions, unknown SourceBBID, no valid instruction' })
  async submit(@Body() dto: V1BulkPaymentDto, @Ctx() ctx: RequestContext, @BatchHeadersOf() h: BatchHeaders): Promise<V1BulkPaymentResponseDto> {
    const { batch, invalid } = await this.submission.v1(ctx, dto, h);
    const rejected = invalid ? `; ${invalid} instruction(s) rejected at intake, see the batch detail` : '';
    return {
      ResponseCode: '00',
      ResponseDescription: `Request successfully received by Pay-BB: ${batch.instructionCount} instruction(s)${rejected}`.slice(0, 200),
      RequestID: dto.RequestID,
      BatchID: dto.BatchID,
      PaymentsBatchID: batch.id,
    };
  }
}
