import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AttemptResult, CallbackMethod, Delivery, DeliveryAttempt, DeliveryStatus } from './delivery';
import {
  AttemptRow,
  COLUMNS,
  DELAY_MS,
  DeliveryRow,
  DueRow,
  toAttempt,
  toDelivery,
  toDue,
  updating,
} from './delivery-rows';

/** Where a participant may be called back, and the sealed secret its callbacks are signed with. */
export interface CallbackTarget {
  bases: string[];
  secretEnc: Buffer;
  secretKeyId: string;
}

export interface NewDelivery {
  tenantId: string;
  participantId: string;
  eventType: string;
  method: CallbackMethod;
  url: string;
  payloadJson: string;
  correlationId: string;
  maxAttempts: number;
}

/** A delivery that should have a job in the queue: the attempt number the job is for and how long to wait. */
export interface DueDelivery {
  id: string;
  nextAttempt: number;
  delayMs: number;
}

/** What the next state is after an attempt. */
export type AttemptDecision =
  { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; delayMs: number };

export type ClaimResult =
  | { kind: 'claimed'; delivery: Delivery }
  /** The previous worker died during the last allowed attempt: recorded as abandoned, delivery now failed. */
  | { kind: 'exhausted' }
  /** Not due, already being sent, finished, or unknown: the job was a stale duplicate. */
  | { kind: 'none' };

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  limit: number;
  offset: number;
}

const DUE = `((status = 'pending' AND next_attempt_at <= now()) OR (status = 'delivering' AND locked_until < now()))`;
const MS = `* interval '1 millisecond'`;

@Injectable()
export class CallbacksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async findTarget(
    tenantId: string,
    participantId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<CallbackTarget | undefined> {
    const rows = (await m.query(
      `SELECT callback_bases, callback_secret_enc, callback_secret_key_id FROM participants WHERE tenant_id = $1 AND id = $2`,
      [tenantId, participantId],
    )) as { callback_bases: string[]; callback_secret_enc: Buffer; callback_secret_key_id: string }[];
    const r = rows[0];
    return (
      r && {
        bases: r.callback_bases,
        secretEnc: r.callback_secret_enc,
        secretKeyId: r.callback_secret_key_id,
      }
    );
  }

  async insert(m: EntityManager, d: NewDelivery): Promise<string> {
    const rows = (await m.query(
      `INSERT INTO callback_deliveries (tenant_id, participant_id, event_type, method, url, payload, correlation_id, max_attempts)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING id`,
      [
        d.tenantId,
        d.participantId,
        d.eventType,
        d.method,
        d.url,
        d.payloadJson,
        d.correlationId,
        d.maxAttempts,
      ],
    )) as { id: string }[];
    return rows[0].id;
  }

  /**
   * Takes a due delivery for one attempt: status 'delivering', attempts + 1, locked for `lockMs`. SKIP LOCKED makes
   * a concurrent duplicate job give up at once instead of waiting. A lock that expired means the previous worker
   * died mid-attempt; that attempt is recorded as abandoned and counts against the budget.
   */
  claim(id: string, lockMs: number): Promise<ClaimResult> {
    return this.ds.transaction(async (m) => {
      const prev = (await m.query(
        `SELECT status, attempts, max_attempts, tenant_id, updated_at FROM callback_deliveries
         WHERE id = $1 AND ${DUE} FOR UPDATE SKIP LOCKED`,
        [id],
      )) as {
        status: DeliveryStatus;
        attempts: number;
        max_attempts: number;
        tenant_id: string;
        updated_at: Date;
      }[];
      const p = prev[0];
      if (!p) return { kind: 'none' };
      if (p.status === 'delivering') {
        await this.insertAttempt(m, p.tenant_id, id, p.attempts, {
          outcome: 'abandoned',
          startedAt: p.updated_at,
          durationMs: null,
          statusCode: null,
          error: 'The worker stopped before this attempt finished',
        });
        if (p.attempts >= p.max_attempts) {
          await m.query(
            `UPDATE callback_deliveries SET status = 'failed', locked_until = NULL, next_attempt_at = NULL,
                    last_status_code = NULL, last_error = 'Last attempt abandoned', updated_at = now() WHERE id = $1`,
            [id],
          );
          return { kind: 'exhausted' };
        }
      }
      const rows = (await m.query(
        updating(
          `UPDATE callback_deliveries SET status = 'delivering', attempts = attempts + 1,
                  locked_until = now() + $2::int ${MS}, updated_at = now()
           WHERE id = $1`,
          COLUMNS,
        ),
        [id, lockMs],
      )) as DeliveryRow[];
      return { kind: 'claimed', delivery: toDelivery(rows[0]) };
    });
  }

  /**
   * Writes an attempt and the delivery's next state in one transaction. Conditional on still holding the claim for
   * this attempt: false means another worker took over after our lock expired, so nothing was written.
   */
  recordAttempt(d: Delivery, result: AttemptResult, next: AttemptDecision): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const updated = (await m.query(
        updating(
          `UPDATE callback_deliveries
           SET status = $3::text, locked_until = NULL, last_status_code = $4, last_error = $5, updated_at = now(),
               delivered_at = CASE WHEN $3::text = 'delivered' THEN now() ELSE delivered_at END,
               next_attempt_at = CASE WHEN $3::text = 'pending' THEN now() + $6::int ${MS} ELSE NULL END
           WHERE id = $1 AND status = 'delivering' AND attempts = $2`,
          'id',
        ),
        [
          d.id,
          d.attempts,
          next.status,
          result.statusCode,
          result.error,
          next.status === 'pending' ? next.delayMs : 0,
        ],
      )) as unknown[];
      if (updated.length === 0) return false;
      await this.insertAttempt(m, d.tenantId, d.id, d.attempts, result);
      return true;
    });
  }

  /** Pending deliveries among `ids`, with the wait until each is due; what dispatch() enqueues. */
  async findPending(ids: string[]): Promise<DueDelivery[]> {
    const rows = (await this.ds.query(
      `SELECT id, attempts + 1 AS next_attempt, ${DELAY_MS} AS delay_ms
       FROM callback_deliveries WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
      [ids],
    )) as DueRow[];
    return rows.map(toDue);
  }

  /**
   * Deliveries that must have a job: pending ones due before `horizonMs` from now, and those whose worker died
   * (lock expired). Anything due later is picked up by a later pass, before it is due.
   */
  async findRecoverable(horizonMs: number, limit: number): Promise<DueDelivery[]> {
    const rows = (await this.ds.query(
      `SELECT id, attempts + 1 AS next_attempt, ${DELAY_MS} AS delay_ms FROM callback_deliveries
       WHERE (status = 'pending' AND next_attempt_at <= now() + $1::int ${MS})
          OR (status = 'delivering' AND locked_until < now())
       ORDER BY next_attempt_at LIMIT $2`,
      [horizonMs, limit],
    )) as DueRow[];
    return rows.map(toDue);
  }

  async list(tenantId: string, f: DeliveryFilter): Promise<Delivery[]> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM callback_deliveries
       WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_type = $3)
       ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
      [tenantId, f.status ?? null, f.eventType ?? null, f.limit, f.offset],
    )) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async findById(tenantId: string, id: string): Promise<Delivery | undefined> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM callback_deliveries WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    )) as DeliveryRow[];
    return rows[0] && toDelivery(rows[0]);
  }

  async findAttempts(tenantId: string, deliveryId: string): Promise<DeliveryAttempt[]> {
    const rows = (await this.ds.query(
      `SELECT attempt_no, started_at, duration_ms, status_code, error, outcome FROM callback_attempts
       WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY attempt_no`,
      [tenantId, deliveryId],
    )) as AttemptRow[];
    return rows.map(toAttempt);
  }

  /** A finished (failed or delivered) delivery back to pending, due now, with `extraAttempts` more to spend. */
  async resend(tenantId: string, id: string, extraAttempts: number, m: EntityManager = this.ds.manager): Promise<Delivery | undefined> {
    const rows = (await m.query(
      updating(
        `UPDATE callback_deliveries
         SET status = 'pending', next_attempt_at = now(), max_attempts = attempts + $3, locked_until = NULL,
             delivered_at = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status IN ('failed', 'delivered')`,
        COLUMNS,
      ),
      [tenantId, id, extraAttempts],
    )) as DeliveryRow[];
    return rows[0] && toDelivery(rows[0]);
  }

  private async insertAttempt(
    m: EntityManager,
    tenantId: string,
    deliveryId: string,
    attemptNo: number,
    a: Omit<AttemptResult, 'durationMs'> & { durationMs: number | null },
  ): Promise<void> {
    await m.query(
      `INSERT INTO callback_attempts (tenant_id, delivery_id, attempt_no, started_at, duration_ms, status_code, error, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id, attempt_no) DO NOTHING`,
      [tenantId, deliveryId, attemptNo, a.startedAt, a.durationMs, a.statusCode, a.error, a.outcome],
    );
  }
}
