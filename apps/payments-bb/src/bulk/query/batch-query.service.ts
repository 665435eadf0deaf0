import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ErrorCode, Principal } from '@app/platform';
import { BatchesRepository } from '../pipeline/batches.repository';
import { BatchQueryRepository } from './batch-query.repository';
import { BatchDetailQueryDto, BatchListQueryDto } from './batch-query.dto';
import { reportChunks, REPORT_PAGE_SIZE } from './batch-report';
import { BatchDetailItemDto, BatchListDto, BatchSummaryDto, InstructionStatusDto } from './batch-status.dto';
import {
  BatchContext,
  clip,
  detailItem,
  instructionStatus,
  isUuid,
  listItem,
  parseDirection,
  parseListFilter,
  parseListPaging,
  parsePaging,
  parseStatusFilter,
  summaryView,
  visibilityOf,
} from './batch-views';

export interface BatchReport {
  /** Safe for a Content-Disposition header: built from our UUID, never from caller input. */
  filename: string;
  chunks: AsyncGenerator<string>;
}

/**
 * Status and reports of bulk batches for source BBs and operators: summary (the final callback's numbers at
 * any time), paginated instruction details (BatchDetails.yml), one instruction, the CSV report, and the list.
 */
@Injectable()
export class BatchQueryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchQueryRepository,
    private readonly batches: BatchesRepository,
  ) {}

  /** Batch, totals, ISO counts and sub-batch progress from one REPEATABLE READ snapshot, so they add up. */
  summary(p: Principal, ref: string): Promise<BatchSummaryDto> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      await m.query('SET TRANSACTION READ ONLY');
      const c = await this.resolve(p, ref, m);
      // One connection: the statements run one after the other.
      const outcome = await this.batches.outcome(c.batch.id, m);
      const byState = await this.repo.countsByState(c.batch.id, m);
      const subBatches = await this.repo.subBatchCounts(c.batch.id, m);
      return summaryView(c, outcome, byState, subBatches);
    });
  }

  async detail(p: Principal, q: BatchDetailQueryDto): Promise<BatchDetailItemDto[]> {
    // Parameters first: a bad one is a 400 whether or not the batch exists.
    const { limit, offset } = parsePaging(q.pageNo, q.pageSize);
    const states = parseStatusFilter(q.status);
    const direction = parseDirection(q.direction);
    const c = await this.resolve(p, q.batchId);
    // Past the last instruction there is nothing to walk the index for; INCOMING never has anything.
    if (direction === 'INCOMING' || offset >= c.batch.instructionCount) return [];
    const rows = await this.repo.instructions(c.batch.id, states ?? null, limit, offset);
    return rows.map((r) => detailItem(r, c));
  }

  async instruction(p: Principal, ref: string, instructionId: string): Promise<InstructionStatusDto> {
    const c = await this.resolve(p, ref);
    const found = await this.repo.instruction(c.batch.id, instructionId);
    if (!found)
      throw new AppException(
        ErrorCode.NOT_FOUND,
        `Batch ${c.batch.id} has no instruction '${clip(instructionId)}'`,
      );
    return instructionStatus(found.row, found.occurrences, c);
  }

  /**
   * Finds the batch and reads the first page before anything is written, so that every failure up to there
   * is an ordinary error response; the rest is read page by page as the client takes it.
   */
  async report(p: Principal, ref: string): Promise<BatchReport> {
    const c = await this.resolve(p, ref);
    const id = c.batch.id;
    const first = await this.repo.instructionsAfter(id, 0, REPORT_PAGE_SIZE);
    return {
      filename: `batch-${id}.csv`,
      chunks: reportChunks(
        first,
        (after) => this.repo.instructionsAfter(id, after, REPORT_PAGE_SIZE),
        c.batch.currency,
      ),
    };
  }

  async list(p: Principal, q: BatchListQueryDto): Promise<BatchListDto> {
    const { limit, offset } = parseListPaging(q.limit, q.offset);
    const filter = parseListFilter(q.state, q.programCode);
    const vis = visibilityOf(p);
    const rows = vis ? await this.repo.list(p.tenantId, vis.sourceBbId, filter, limit, offset) : [];
    return { items: rows.map(listItem), limit, offset };
  }

  /**
   * The batch named by `ref` among those the caller may see: by our UUID, else by the client's BatchID.
   * Unseen and unknown are the same 404. A BatchID naming several visible batches (several source BBs
   * reusing it, or one source resubmitting it under another Idempotency-Key) is a 409: we never guess.
   */
  private async resolve(p: Principal, ref: string, m?: EntityManager): Promise<BatchContext> {
    const notFound = new AppException(ErrorCode.NOT_FOUND, `No batch '${clip(ref)}'`);
    const vis = visibilityOf(p);
    if (!vis) throw notFound;
    if (isUuid(ref)) {
      const byId = await this.repo.findById(p.tenantId, vis.sourceBbId, ref.toLowerCase(), m);
      if (byId) return byId;
    }
    // A client's own BatchID may look like a UUID too: then it is looked up as one after our IDs.
    const found = await this.repo.findByExternalId(p.tenantId, vis.sourceBbId, ref, 2, m);
    if (found.length === 0) throw notFound;
    if (found.length > 1)
      throw new AppException(
        ErrorCode.CONFLICT,
        `BatchID '${clip(ref)}' names more than one batch; ask with the batchId (UUID) returned at submission`,
      );
    return found[0];
  }
}
