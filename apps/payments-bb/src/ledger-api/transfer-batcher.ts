import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isResolution, LedgerService, TransferInput, TransferResult } from '@app/ledger';
import { AppException } from '@app/platform';

/** The most transfers one flush writes in one transaction. */
export const MAX_TRANSFERS_PER_FLUSH = 500;
/** A refused group at most this large is retried one transfer at a time; a larger one is halved first. */
const SPLIT_BELOW = 8;
/** SQLSTATE classes that say the database or the connection failed, not a transfer. */
const INFRASTRUCTURE_CLASSES = new Set(['08', '53', '57', '58', 'XX']);

/** A transfer of a flush as its caller's afterWrite sees it: the result and what the caller passed along. */
export interface Written<C> {
  result: TransferResult;
  context: C;
}

/**
 * Callers' own work on their transfers in the flush's transaction (their audit rows, say). Called once
 * per flush for each distinct function, with its callers' transfers in submission order: one function
 * shared by many callers (the context telling them apart) can write for all of them in one statement.
 * It must write only through `m`: if the flush is refused and retried in parts, it runs again and only
 * the committed run counts.
 */
export type AfterWrite<C = unknown> = (m: EntityManager, written: Written<C>[]) => Promise<void>;

interface Waiting {
  input: TransferInput;
  afterWrite?: AfterWrite;
  context?: unknown;
  resolve: (result: TransferResult) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  queue: Waiting[];
  /** The loop flushing this tenant's queue, while there is one. */
  running?: Promise<void>;
}

/**
 * An error that may belong to one transfer of a combined flush (a ledger refusal, a value the database
 * rejected) rather than to the database or the connection: worth retrying the group in smaller parts.
 */
export function mayBelongToOneTransfer(err: unknown): boolean {
  if (err instanceof AppException) return true;
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !INFRASTRUCTURE_CLASSES.has(code.slice(0, 2))
  );
}

/**
 * Group commit for single transfers, after TigerBeetle's request batching: a transfer submitted while no
 * flush runs for its tenant is written at once, alone; those submitted while one runs wait and are written
 * together, in submission order, in the next flush (one transaction, at most `maxBatch` transfers).
 *
 * `createTransfers` is all-or-nothing and a refused flush rolls back, so when a combined flush is refused
 * the group is retried in halves, down to one transfer at a time, in order: each caller gets its own
 * result or error, never another's, and nothing is written twice.
 *
 * One difference from applying them one by one: limits are checked on the final balances of a flush, so
 * transfers of different callers that only fit together (A pays B while B pays A) are accepted together.
 */
@Injectable()
export class TransferBatcher implements BeforeApplicationShutdown {
  /** Flush size cap; tests lower it. */
  maxBatch = MAX_TRANSFERS_PER_FLUSH;
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly ledger: LedgerService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /** Writes the transfer with whatever else is waiting for this tenant; answers with its own result. */
  submit<C>(
    tenantId: string,
    input: TransferInput,
    afterWrite?: AfterWrite<C>,
    context?: C,
  ): Promise<TransferResult> {
    return new Promise<TransferResult>((resolve, reject) => {
      let lane = this.lanes.get(tenantId);
      if (!lane) this.lanes.set(tenantId, (lane = { queue: [] }));
      lane.queue.push({ input, afterWrite: afterWrite as AfterWrite | undefined, context, resolve, reject });
      if (!lane.running) lane.running = this.run(tenantId, lane);
    });
  }

  /** Resolves once every submitted transfer has its answer. */
  async drain(): Promise<void> {
    while (this.lanes.size) await Promise.all([...this.lanes.values()].map((l) => l.running));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private async run(tenantId: string, lane: Lane): Promise<void> {
    try {
      while (lane.queue.length) await this.apply(tenantId, this.take(lane));
    } finally {
      lane.running = undefined;
      this.lanes.delete(tenantId);
    }
  }

  /**
   * The longest prefix of the queue that one transaction can take: a repeated ID, or a resolution of a
   * pending transfer that this flush creates or also resolves, waits for the next flush.
   */
  private take(lane: Lane): Waiting[] {
    const ids = new Set<string>();
    const resolved = new Set<string>();
    let n = 0;
    for (; n < lane.queue.length && n < this.maxBatch; n++) {
      const t = lane.queue[n].input;
      if (ids.has(t.id)) break;
      if (isResolution(t)) {
        if (ids.has(t.pendingId) || resolved.has(t.pendingId)) break;
        resolved.add(t.pendingId);
      }
      ids.add(t.id);
    }
    return lane.queue.splice(0, Math.max(n, 1));
  }

  /** Writes the group in one transaction; if it is refused, its halves (in order), down to single transfers. */
  private async apply(tenantId: string, group: Waiting[]): Promise<void> {
    let results: TransferResult[];
    try {
      results = await this.write(tenantId, group);
    } catch (err) {
      if (group.length === 1) return group[0].reject(err);
      if (!mayBelongToOneTransfer(err)) return group.forEach((w) => w.reject(err));
      if (group.length <= SPLIT_BELOW) {
        for (const w of group) await this.apply(tenantId, [w]);
        return;
      }
      const half = Math.ceil(group.length / 2);
      await this.apply(tenantId, group.slice(0, half));
      return this.apply(tenantId, group.slice(half));
    }
    group.forEach((w, i) => w.resolve(results[i]));
  }

  /** One transaction: the ledger's own when no caller has work to add, else one holding theirs too. */
  private async write(tenantId: string, group: Waiting[]): Promise<TransferResult[]> {
    const inputs = group.map((w) => w.input);
    const counted = (results: TransferResult[]) => {
      if (results.length !== group.length)
        throw new Error(`Ledger returned ${results.length} results for ${group.length} transfers`);
      return results;
    };
    if (!group.some((w) => w.afterWrite))
      return counted(await this.ledger.createTransfers(undefined, tenantId, inputs));
    return this.ds.transaction(async (m) => {
      const results = counted(await this.ledger.createTransfers(m, tenantId, inputs));
      const byHook = new Map<AfterWrite, Written<unknown>[]>();
      group.forEach((w, i) => {
        if (!w.afterWrite) return;
        const written = byHook.get(w.afterWrite) ?? byHook.set(w.afterWrite, []).get(w.afterWrite)!;
        written.push({ result: results[i], context: w.context });
      });
      for (const [afterWrite, written] of byHook) await afterWrite(m, written);
      return results;
    });
  }
}
