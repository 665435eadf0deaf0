// Row shapes and their mapping to the domain types; the queries themselves live in CallbacksRepository.
import type { DueDelivery } from './callbacks.repository';
import { AttemptOutcome, CallbackMethod, Delivery, DeliveryAttempt, DeliveryStatus } from './delivery';

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  participant_id: string;
  event_type: string;
  method: CallbackMethod;
  url: string;
  payload: unknown;
  correlation_id: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const COLUMNS = `id, tenant_id, participant_id, event_type, method, url, payload, correlation_id, status, attempts,
                 max_attempts, next_attempt_at, last_status_code, last_error, delivered_at, created_at, updated_at`;

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    participantId: r.participant_id,
    eventType: r.event_type,
    method: r.method,
    url: r.url,
    payload: r.payload,
    correlationId: r.correlation_id,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.next_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * TypeORM returns `[rows, count]` for a bare UPDATE but plain rows for a SELECT; wrapping UPDATE ... RETURNING
 * in a CTE keeps every query here returning rows.
 */
export function updating(sql: string, returning: string): string {
  return `WITH u AS (${sql} RETURNING ${returning}) SELECT * FROM u`;
}

/** Milliseconds until next_attempt_at, never negative. */
export const DELAY_MS = `GREATEST(0, ceil(extract(epoch FROM next_attempt_at - now()) * 1000))::int`;

export interface DueRow {
  id: string;
  next_attempt: number;
  delay_ms: number | null;
}

export function toDue(r: DueRow): DueDelivery {
  return { id: r.id, nextAttempt: r.next_attempt, delayMs: r.delay_ms ?? 0 };
}

export interface AttemptRow {
  attempt_no: number;
  started_at: Date;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
  outcome: AttemptOutcome;
}

export function toAttempt(r: AttemptRow): DeliveryAttempt {
  return {
    attemptNo: r.attempt_no,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    statusCode: r.status_code,
    error: r.error,
    outcome: r.outcome,
  };
}
