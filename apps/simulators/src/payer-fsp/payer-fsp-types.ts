/** The payer FSP simulator's public types: what tests, main.ts and the control endpoints see. */

/** How the simulator answers `POST /batches/{batchId}?command=authorize`: 200 Y, 200 N, or 202 "ask again". */
export type AuthorizationMode = 'Y' | 'N' | 'pending';

/** ISO 20022 ExternalPaymentTransactionStatus1Code values the contract uses. */
export type FspStatus = 'ACCP' | 'ACSC' | 'RJCT' | 'PDNG';

export type AccountStatus = 'open' | 'closed' | 'blocked';

export interface AccountSetup {
  status: AccountStatus;
  /** Largest amount one transaction to this account may carry, as a decimal string ("5000.00"). */
  limit?: string;
}

/** One instruction's status as pushed and as answered by `GET /sub-batches/{id}`. */
export interface InstructionStatus {
  instructionId: string;
  status: FspStatus;
  reasonCode?: string;
  reason?: string;
  fspReference?: string;
}

/** What the simulator remembers of a sub-batch it accepted. Financial addresses are not kept. */
export interface ReceivedSubBatch {
  readonly subBatchId: string;
  readonly batchId: string;
  /** Instructions accepted (the `accepted` of the 202). */
  readonly accepted: number;
  /** How many times this sub-batch was POSTed with the same body (1 = never re-submitted). */
  submissions: number;
  readonly paid: number;
  readonly rejected: number;
  /** Instructions whose status push was acknowledged with a 2xx. */
  pushedInstructions: number;
  /** Push URL of the latest submission; pushes still to come go there. */
  statusPushUrl: string;
  correlationId?: string;
  readonly receivedAt: number;
  /** Until then `GET /sub-batches/{id}` answers ACCP; the final statuses are pushed at that moment. */
  readonly readyAt: number;
  /** The outcome of each instruction, decided once when the sub-batch was first accepted. */
  readonly statuses: readonly InstructionStatus[];
  /** SHA-256 of the request's content (push URL excepted), to tell a retry from a different body. */
  readonly fingerprint: string;
}

/** One attempt to deliver a chunk of statuses to the server. */
export interface PushAttempt {
  subBatchId: string;
  /** 0-based chunk of the sub-batch's statuses (chunks hold up to `pushChunkSize` instructions). */
  chunk: number;
  instructions: number;
  /** 1 for the first attempt at this chunk. */
  attempt: number;
  /** HTTP status of the answer; 0 when there was none (refused connection, timeout). */
  status: number;
  /** What happens to the chunk next. */
  outcome: 'delivered' | 'retrying' | 'gave-up';
  error?: string;
  /** The server's answer to a delivered push, e.g. {applied, ignored, unknown}, when it was JSON. */
  answer?: unknown;
  at: number;
}

export interface PushStats {
  attempts: number;
  delivered: number;
  failedAttempts: number;
  gaveUp: number;
  /** Chunks waiting for a free connection. */
  queued: number;
  inFlight: number;
  /** Chunks waiting for their latency or retry back-off to pass. */
  scheduled: number;
}

/** The settings that may be changed while the simulator runs (`configure`, `POST /_sim/config`). */
export interface PayerFspConfig {
  /** Delay between accepting a sub-batch and pushing its statuses (default 0). */
  latencyMs: number;
  /** Share of otherwise payable instructions rejected with MS03, 0..1 (default 0). */
  failureRate: number;
  authorization: AuthorizationMode;
  /** While down, every connector endpoint answers 503; /_sim/ still works. */
  down: boolean;
  /** Sub-batches accepted while set are never pushed: the server must poll `GET /sub-batches/{id}`. */
  pushDisabled: boolean;
  /** Sent as X-API-Key on pushes. */
  pbbApiKey?: string;
  /** Sent as Platform-TenantId on pushes. */
  tenantId?: string;
  /** When true, accounts never set up are rejected (AC01); when false they are paid (default). */
  strictAccounts: boolean;
  /** Instructions per push request (default 1000). */
  pushChunkSize: number;
  /** When set, every new sub-batch is refused as a whole: 422 {error: refuseSubBatches}. */
  refuseSubBatches?: string;
  /**
   * Single credit transfers (POST /transfers, voucher redemptions): 'complete' pays and answers ACSC (after
   * latencyMs); 'insufficient_funds' refuses with AM04; 'pending' answers PDNG and pays latencyMs later;
   * 'no_answer' pays but never answers (the caller times out and must ask GET /transfers/{id}).
   */
  transferMode: 'complete' | 'insufficient_funds' | 'pending' | 'no_answer';
}

export interface PayerFspOptions extends Partial<PayerFspConfig> {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, X-Signature is checked on every connector request and a bad one is answered 401. */
  secret?: string;
  /** Seed of the generator behind `failureRate` (default 42). */
  seed?: number;
  /** Outgoing pushes at once (default 4); further chunks wait in a queue. */
  pushConcurrency?: number;
  /** First retry delay of a failed push, doubled each time up to 30 s (default 200). */
  pushRetryBaseMs?: number;
  /** Attempts per push chunk before giving up (default 10). */
  pushMaxAttempts?: number;
  /** A push without an answer within this is a failed attempt (default 10 000). */
  pushTimeoutMs?: number;
  /**
   * Sub-batches are forgotten oldest first once the instructions they hold exceed this (default 500 000). A
   * forgotten sub-batch is 404 to `GET` and would be paid again if re-submitted, as with a real FSP's purge.
   */
  maxRetainedInstructions?: number;
  /** One line per notable event (sub-batch accepted, push given up). Never carries financial addresses. */
  log?: (line: string) => void;
}

export interface PayerFspSimulator {
  /** Base URL, e.g. http://127.0.0.1:4020 */
  readonly url: string;
  /** The current settings. */
  readonly config: Readonly<PayerFspConfig>;
  /** Changes settings; throws a RangeError (and changes nothing) when a value is invalid. */
  configure(partial: Partial<PayerFspConfig>): Readonly<PayerFspConfig>;
  /** Sets up (or replaces) the account at `financialAddress`. Throws a RangeError on a bad status or limit. */
  setAccount(financialAddress: string, account: AccountSetup): void;
  setDown(down: boolean): void;
  /** How many times each instruction was paid (ACSC), by instructionId. A copy. */
  executions(): Map<string, number>;
  /** Accepted sub-batches by subBatchId (live view). */
  readonly subBatches: ReadonlyMap<string, ReceivedSubBatch>;
  /** Push attempts, oldest first (live view; the oldest are dropped past 10 000). */
  readonly pushes: readonly PushAttempt[];
  pushStats(): PushStats;
  /** Resolves once `predicate` holds (checked now and after every submission and push attempt). */
  waitFor(predicate: (sim: PayerFspSimulator) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets sub-batches, executions, pushes and accounts, cancels pending pushes, re-seeds; settings stay. */
  reset(): void;
  close(): Promise<void>;
}
