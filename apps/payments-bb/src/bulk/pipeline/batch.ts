import { BatchState } from '../domain/batch-state';

export type BatchOrigin = 'v1' | 'v3-json' | 'v3-csv' | 'retry';

/** A batch row. Amounts are minor units of `currency`. */
export interface Batch {
  id: string;
  tenantId: string;
  sourceBbId: string;
  programId: string;
  origin: BatchOrigin;
  requestKey: string;
  requestHash: string;
  requestId: string | null;
  externalBatchId: string | null;
  retryOf: string | null;
  callbackUrl: string | null;
  currency: string;
  state: BatchState;
  stateReason: string | null;
  instructionCount: number;
  readyCount: number;
  readyAmount: bigint;
  reservationId: string | null;
  reservedAmount: bigint;
  postedAmount: bigint;
  releasedAmount: bigint;
  executeAt: Date | null;
  nextAttemptAt: Date | null;
  attempts: number;
  makerId: string;
  makerKind: string;
  approvedBy: string | null;
  approvedAt: Date | null;
  correlationId: string | null;
  finalDeliveryId: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface BatchRow {
  id: string;
  tenant_id: string;
  source_bb_id: string;
  program_id: string;
  origin: BatchOrigin;
  request_key: string;
  request_hash: string;
  request_id: string | null;
  external_batch_id: string | null;
  retry_of: string | null;
  callback_url: string | null;
  currency: string;
  state: BatchState;
  state_reason: string | null;
  instruction_count: number;
  ready_count: number;
  ready_amount: string;
  reservation_id: string | null;
  reserved_amount: string;
  posted_amount: string;
  released_amount: string;
  execute_at: Date | null;
  next_attempt_at: Date | null;
  attempts: number;
  maker_id: string;
  maker_kind: string;
  approved_by: string | null;
  approved_at: Date | null;
  correlation_id: string | null;
  final_delivery_id: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export const toBatch = (r: BatchRow): Batch => ({
  id: r.id,
  tenantId: r.tenant_id,
  sourceBbId: r.source_bb_id,
  programId: r.program_id,
  origin: r.origin,
  requestKey: r.request_key,
  requestHash: r.request_hash,
  requestId: r.request_id,
  externalBatchId: r.external_batch_id,
  retryOf: r.retry_of,
  callbackUrl: r.callback_url,
  currency: r.currency,
  state: r.state,
  stateReason: r.state_reason,
  instructionCount: r.instruction_count,
  readyCount: r.ready_count,
  readyAmount: BigInt(r.ready_amount),
  reservationId: r.reservation_id,
  reservedAmount: BigInt(r.reserved_amount),
  postedAmount: BigInt(r.posted_amount),
  releasedAmount: BigInt(r.released_amount),
  executeAt: r.execute_at,
  nextAttemptAt: r.next_attempt_at,
  attempts: r.attempts,
  makerId: r.maker_id,
  makerKind: r.maker_kind,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
  correlationId: r.correlation_id,
  finalDeliveryId: r.final_delivery_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
});

/** Counts and sums of a batch's instructions by ISO status (what callbacks, summaries and reports show). */
export interface BatchOutcome {
  total: number;
  completed: number;
  failed: number;
  ongoing: number;
  totalAmount: bigint;
  completedAmount: bigint;
  failedAmount: bigint;
  ongoingAmount: bigint;
  duplicatePayees: number;
}
