import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, RequireScopes } from '@app/platform';
import {
  BatchDetailQueryDto,
  BatchListQueryDto,
  BatchRefQueryDto,
  InstructionQueryDto,
} from './batch-query.dto';
import { BatchQueryService } from './batch-query.service';
import { REPORT_COLUMNS, ReportAborted, writeChunks } from './batch-report';
import { BatchDetailItemDto, BatchListDto, BatchSummaryDto, InstructionStatusDto } from './batch-status.dto';

const VISIBILITY =
  'A source BB sees the batches it submitted; operators and information mediators see every batch of their tenant. ' +
  'A batch the caller may not see answers 404, as if it did not exist.';

@ApiTags('bulk disbursement: status and reports')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('bulk:read')
@ApiNotFoundResponse({ description: 'No such batch among those the caller may see' })
@Controller('api/v1')
export class BatchQueryController {
  private readonly logger = new Logger(BatchQueryController.name);

  constructor(private readonly query: BatchQueryService) {}

  @Get('batch/summary')
  @ApiOperation({
    summary:
      "A batch's state and totals (BulkPaymentStatusUpdate.yml's fields, as its final callback sends them)",
    description: `Numbers as GovStack defines them, with exact decimal strings in \`amounts\`. ${VISIBILITY}`,
  })
  @ApiOkResponse({ type: BatchSummaryDto })
  @ApiConflictResponse({ description: 'The BatchID names more than one batch: ask with the UUID' })
  summary(@Query() q: BatchRefQueryDto, @CurrentPrincipal() p: Principal): Promise<BatchSummaryDto> {
    return this.query.summary(p, q.batchId);
  }

  @Get('batch/detail')
  @ApiOperation({
    summary: 'The instructions of a batch, a page at a time, in submission order (BatchDetails.yml)',
    description:
      'pageNo from 0; pageSize 1-10000 (default 100). `status` filters on ISO 20022 status or internal state. ' +
      `Payees are shown by functional ID, never by financial address. ${VISIBILITY}`,
  })
  @ApiOkResponse({ type: [BatchDetailItemDto] })
  detail(@Query() q: BatchDetailQueryDto, @CurrentPrincipal() p: Principal): Promise<BatchDetailItemDto[]> {
    return this.query.detail(p, q);
  }

  @Get('batch/instruction')
  @ApiOperation({ summary: 'The status of one instruction of a batch, by its InstructionID' })
  @ApiOkResponse({ type: InstructionStatusDto })
  instruction(
    @Query() q: InstructionQueryDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<InstructionStatusDto> {
    return this.query.instruction(p, q.batchId, q.instructionId);
  }

  @Get('batch/report')
  @ApiOperation({
    summary: 'Every instruction of a batch as a CSV file (the result_file of the summary and final callback)',
    description:
      'RFC 4180, CRLF line ends, UTF-8. Amounts are exact decimals. Text cells starting with = + - @, tab or CR ' +
      `get a leading apostrophe so that spreadsheets do not run them. Streamed: any size. ${VISIBILITY}`,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    content: { 'text/csv': { schema: { type: 'string', example: `${REPORT_COLUMNS.join(',')}\r\n…` } } },
  })
  async report(
    @Query() q: BatchRefQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ): Promise<void> {
    // Until the first write, a failure is thrown and rendered by the exception filter like any other.
    const report = await this.query.report(p, q.batchId);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${report.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await writeChunks(res, report.chunks);
    } catch (err) {
      // Headers are gone: the status cannot change. Cut the connection so the client sees an incomplete
      // transfer (no final chunk) rather than a file that looks whole.
      if (err instanceof ReportAborted)
        this.logger.debug(`Report of ${report.filename} abandoned by the client`);
      else this.logger.error({ err }, `Report ${report.filename} failed after it had started`);
      if (!res.destroyed) res.destroy();
    }
  }

  @Get('batches')
  @ApiOperation({ summary: 'Batches, newest first, with their state and amounts', description: VISIBILITY })
  @ApiOkResponse({ type: BatchListDto })
  list(@Query() q: BatchListQueryDto, @CurrentPrincipal() p: Principal): Promise<BatchListDto> {
    return this.query.list(p, q);
  }
}
