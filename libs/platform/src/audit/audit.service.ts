import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { digestOf } from '../crypto/digest';

export interface Actor {
  id: string;
  kind: string;
}

export interface AuditEntry {
  tenantId: string;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string;
  correlationId?: string;
  /** Digested, never stored as is: pass the record's payment data, not a description of it. */
  before?: unknown;
  after?: unknown;
  /** Stored as is: IDs and counts only, never personal data. */
  details?: Record<string, unknown>;
}

/** The fields one bulk operation shares; only the object and its before/after differ per row. */
export type AuditBatch = Omit<AuditEntry, 'objectId' | 'before' | 'after'>;

export interface AuditItem {
  objectId: string;
  before?: unknown;
  after?: unknown;
}

const digestOrNull = (v: unknown) => (v === undefined ? null : digestOf(v));

/**
 * Appends to audit_log, the only writer of that table. Set-wise: a 100,000-row import is one statement
 * whose shared fields travel once, not 100,000 times.
 */
@Injectable()
export class AuditService {
  /** Entries that may differ in every field (e.g. one flush of many callers' transfers), in one statement. */
  async record(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const col = <T>(f: (e: AuditEntry) => T) => entries.map(f);
    await manager.query(
      `INSERT INTO audit_log (tenant_id, actor_id, actor_kind, action, object_type, object_id, correlation_id,
                              before_digest, after_digest, details)
       SELECT t, a, ak, act, ot, oid, cid, bd, ad, d::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[], $10::text[]) AS x(t, a, ak, act, ot, oid, cid, bd, ad, d)`,
      [
        col((e) => e.tenantId),
        col((e) => e.actor.id),
        col((e) => e.actor.kind),
        col((e) => e.action),
        col((e) => e.objectType),
        col((e) => e.objectId),
        col((e) => e.correlationId ?? null),
        col((e) => digestOrNull(e.before)),
        col((e) => digestOrNull(e.after)),
        col((e) => (e.details === undefined ? null : JSON.stringify(e.details))),
      ],
    );
  }

  async recordBatch(manager: EntityManager, batch: AuditBatch, items: AuditItem[]): Promise<void> {
    if (items.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (tenant_id, actor_id, actor_kind, action, object_type, correlation_id, details,
                              object_id, before_digest, after_digest)
       SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, oid, bd, ad
       FROM unnest($8::text[], $9::text[], $10::text[]) AS x(oid, bd, ad)`,
      [
        batch.tenantId,
        batch.actor.id,
        batch.actor.kind,
        batch.action,
        batch.objectType,
        batch.correlationId ?? null,
        batch.details === undefined ? null : JSON.stringify(batch.details),
        items.map((i) => i.objectId),
        items.map((i) => digestOrNull(i.before)),
        items.map((i) => digestOrNull(i.after)),
      ],
    );
  }
}
