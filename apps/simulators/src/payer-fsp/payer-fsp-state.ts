import { compareDecimal, DecimalAmount, parseDecimal } from './amounts';
import type { SubBatchSubmission, ValidationItem } from './connector-requests';
import { seededRandom } from './prng';
import type {
  AccountSetup,
  AccountStatus,
  InstructionStatus,
  PayerFspConfig,
  ReceivedSubBatch,
} from './payer-fsp-types';

/** ISO 20022 ExternalStatusReason1Code the simulator answers with, and the texts beside them. */
export const REASONS = {
  closed: { reasonCode: 'AC04', reason: 'Account closed' },
  blocked: { reasonCode: 'AC06', reason: 'Account blocked' },
  unknown: { reasonCode: 'AC01', reason: 'Unknown account' },
  overLimit: { reasonCode: 'AM14', reason: 'Amount exceeds agreed limit' },
  random: { reasonCode: 'MS03', reason: 'Not specified reason agent generated' },
} as const;

const ACCOUNT_STATUSES: readonly AccountStatus[] = ['open', 'closed', 'blocked'];
/** Accounts are set up by hand or by tests; this only stops a runaway script. */
const MAX_ACCOUNTS = 1_000_000;
/**
 * Instruction IDs whose payment count is kept; the oldest are forgotten first past this. Large enough for
 * `bench:bulk` at 1,000,000 instructions (two batches and a warm-up) to check that nothing was paid twice.
 */
const MAX_EXECUTIONS = 5_000_000;

interface Account {
  status: AccountStatus;
  limit?: DecimalAmount;
}

export type SubmitResult =
  | { kind: 'accepted'; record: ReceivedSubBatch }
  | { kind: 'repeated'; record: ReceivedSubBatch }
  | { kind: 'conflict'; record: ReceivedSubBatch };

/**
 * The FSP's books: accounts, the sub-batches it accepted with each instruction's outcome, and how often each
 * instruction was paid. An outcome is decided once, when a sub-batch is first accepted, and never changes.
 * Financial addresses are used to decide outcomes and then dropped: nothing here keeps them but `accounts`.
 */
export class PayerFspState {
  private readonly accounts = new Map<string, Account>();
  readonly subBatches = new Map<string, ReceivedSubBatch>();
  private readonly paid = new Map<string, number>();
  private retained = 0;
  private references = 0;
  private random: () => number;

  constructor(
    private readonly seed: number,
    private readonly maxRetainedInstructions: number,
  ) {
    this.random = seededRandom(seed);
  }

  setAccount(financialAddress: string, setup: AccountSetup): void {
    if (
      typeof financialAddress !== 'string' ||
      financialAddress.length === 0 ||
      financialAddress.length > 128
    )
      throw new RangeError('financialAddress must be a non-empty string of at most 128 characters');
    if (!ACCOUNT_STATUSES.includes(setup?.status))
      throw new RangeError(`status must be one of ${ACCOUNT_STATUSES.join(', ')}`);
    let limit: DecimalAmount | undefined;
    if (setup.limit !== undefined && setup.limit !== null) {
      limit = parseDecimal(setup.limit);
      if (!limit) throw new RangeError('limit must be a decimal string such as "5000.00"');
    }
    if (!this.accounts.has(financialAddress) && this.accounts.size >= MAX_ACCOUNTS)
      throw new RangeError(`at most ${MAX_ACCOUNTS} accounts can be set up`);
    this.accounts.set(financialAddress, { status: setup.status, limit });
  }

  accountCounts(): Record<AccountStatus, number> {
    const counts: Record<AccountStatus, number> = { open: 0, closed: 0, blocked: 0 };
    for (const a of this.accounts.values()) counts[a.status] += 1;
    return counts;
  }

  /** Records a submission. A new sub-batch has its outcomes decided (and its payments made) here. */
  submit(
    sub: SubBatchSubmission,
    config: Readonly<PayerFspConfig>,
    now: number,
    correlationId: string | undefined,
  ): SubmitResult {
    const known = this.subBatches.get(sub.subBatchId);
    if (known) {
      if (known.fingerprint !== sub.fingerprint) return { kind: 'conflict', record: known };
      known.submissions += 1;
      known.statusPushUrl = sub.statusPushUrl;
      if (correlationId) known.correlationId = correlationId;
      return { kind: 'repeated', record: known };
    }
    let paid = 0;
    const statuses: InstructionStatus[] = new Array(sub.instructions.length);
    for (let i = 0; i < sub.instructions.length; i++) {
      const ins = sub.instructions[i];
      const refusal = this.refusal(ins.financialAddress, ins.amount, config);
      if (refusal) {
        statuses[i] = { instructionId: ins.instructionId, status: 'RJCT', ...refusal };
        continue;
      }
      this.references += 1;
      statuses[i] = {
        instructionId: ins.instructionId,
        status: 'ACSC',
        fspReference: `SIMFSP-${this.references.toString().padStart(10, '0')}`,
      };
      this.recordPayment(ins.instructionId);
      paid += 1;
    }
    const record: ReceivedSubBatch = {
      subBatchId: sub.subBatchId,
      batchId: sub.batchId,
      accepted: statuses.length,
      submissions: 1,
      paid,
      rejected: statuses.length - paid,
      pushedInstructions: 0,
      statusPushUrl: sub.statusPushUrl,
      correlationId,
      receivedAt: now,
      readyAt: now + config.latencyMs,
      statuses,
      fingerprint: sub.fingerprint,
    };
    this.subBatches.set(sub.subBatchId, record);
    this.retained += record.accepted;
    this.forgetOldest(sub.subBatchId);
    return { kind: 'accepted', record };
  }

  /** Statuses as `GET /sub-batches/{id}` shows them: ACCP until the sub-batch's latency has passed. */
  statusesAt(record: ReceivedSubBatch, now: number): readonly InstructionStatus[] {
    if (now >= record.readyAt) return record.statuses;
    return record.statuses.map((s) => ({ instructionId: s.instructionId, status: 'ACCP' }));
  }

  /** The failed lookups of a validation request: accounts that cannot receive money. */
  failedLookups(items: readonly ValidationItem[], config: Readonly<PayerFspConfig>) {
    const failed: { instructionID: string; failureReason: string }[] = [];
    for (const item of items) {
      const reason = this.accountRefusal(this.accounts.get(item.financialAddress), config);
      if (reason)
        failed.push({
          instructionID: item.instructionID,
          failureReason: `${reason.reasonCode} ${reason.reason}`,
        });
    }
    return failed;
  }

  /** A copy of the payment counts by instruction ID. */
  executions(): Map<string, number> {
    return new Map(this.paid);
  }

  /** Instruction IDs paid more than once: the number a correct server keeps at zero. */
  paidTwiceOrMore(): number {
    let n = 0;
    for (const count of this.paid.values()) if (count > 1) n += 1;
    return n;
  }

  get paidInstructions(): number {
    return this.paid.size;
  }

  get retainedInstructions(): number {
    return this.retained;
  }

  reset(): void {
    this.accounts.clear();
    this.subBatches.clear();
    this.transfers.clear();
    this.paid.clear();
    this.retained = 0;
    this.references = 0;
    this.random = seededRandom(this.seed);
  }

  /** Single credit transfers by ID: what was answered, so a repeat gets the same answer and pays nothing again. */
  readonly transfers = new Map<
    string,
    {
      fingerprint: string;
      status: 'ACSC' | 'RJCT' | 'PDNG';
      reasonCode?: string;
      reason?: string;
      fspReference?: string;
    }
  >();

  transfer(
    id: string,
    fingerprint: string,
    financialAddress: string,
    amount: DecimalAmount,
    config: Readonly<PayerFspConfig>,
  ) {
    const known = this.transfers.get(id);
    if (known)
      return known.fingerprint === fingerprint
        ? { kind: 'repeated' as const, record: known }
        : { kind: 'conflict' as const, record: known };
    if (this.transfers.size >= MAX_EXECUTIONS)
      this.transfers.delete(this.transfers.keys().next().value as string);
    const refusal =
      config.transferMode === 'insufficient_funds'
        ? { reasonCode: 'AM04', reason: 'Insufficient funds' }
        : this.refusal(financialAddress, amount, config);
    if (refusal) {
      const record = { fingerprint, status: 'RJCT' as const, ...refusal };
      this.transfers.set(id, record);
      return { kind: 'accepted' as const, record };
    }
    this.references += 1;
    const record = {
      fingerprint,
      status: 'ACSC' as 'ACSC' | 'PDNG',
      fspReference: `SIMFSP-${this.references.toString().padStart(10, '0')}`,
    };
    this.recordPayment(id);
    this.transfers.set(id, record);
    return { kind: 'accepted' as const, record };
  }

  private refusal(financialAddress: string, amount: DecimalAmount, config: Readonly<PayerFspConfig>) {
    const account = this.accounts.get(financialAddress);
    const reason = this.accountRefusal(account, config);
    if (reason) return reason;
    if (account?.limit && compareDecimal(amount, account.limit) > 0) return REASONS.overLimit;
    if (config.failureRate > 0 && this.random() < config.failureRate) return REASONS.random;
    return undefined;
  }

  private accountRefusal(account: Account | undefined, config: Readonly<PayerFspConfig>) {
    if (!account) return config.strictAccounts ? REASONS.unknown : undefined;
    if (account.status === 'closed') return REASONS.closed;
    if (account.status === 'blocked') return REASONS.blocked;
    return undefined;
  }

  private recordPayment(instructionId: string): void {
    const before = this.paid.get(instructionId);
    if (before === undefined && this.paid.size >= MAX_EXECUTIONS) {
      const oldest = this.paid.keys().next().value;
      if (oldest !== undefined) this.paid.delete(oldest);
    }
    this.paid.set(instructionId, (before ?? 0) + 1);
  }

  /** Bounds memory for a simulator left running: the oldest sub-batches go first, never the one just added. */
  private forgetOldest(keep: string): void {
    for (const [id, record] of this.subBatches) {
      if (this.retained <= this.maxRetainedInstructions || id === keep) return;
      this.subBatches.delete(id);
      this.retained -= record.accepted;
    }
  }
}
