import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface AuditFilter {
  tenantId: string;
  actorId?: string;
  objectType?: string;
  objectId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  beforeId?: string;
  limit: number;
}

interface Row {
  id: string;
  occurred_at: Date;
  actor_id: string;
  actor_kind: string;
  action: string;
  object_type: string;
  object_id: string;
  correlation_id: string | null;
  details: Record<string, unknown> | null;
}

/** Reads the audit trail, newest first, by keyset on its ID (the indexes are per tenant: time, actor, object). */
@Injectable()
export class AuditQueryRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async search(f: AuditFilter) {
    const where = ['tenant_id = $1'];
    const args: unknown[] = [f.tenantId];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.actorId) add('actor_id = ?', f.actorId);
    if (f.objectType) add('object_type = ?', f.objectType);
    if (f.objectId) add('object_id = ?', f.objectId);
    if (f.action?.endsWith('*')) add(`action LIKE ? || '%'`, f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`));
    else if (f.action) add('action = ?', f.action);
    if (f.from) add('occurred_at >= ?', f.from);
    if (f.to) add('occurred_at < ?', f.to);
    if (f.beforeId) add('a.id < ?::bigint', f.beforeId);
    args.push(f.limit + 1);
    const rows = (await this.ds.query(
      // Ordered by the bigint column, not the text it is answered as ('97' > '107' as text).
      `SELECT a.id::text AS id, occurred_at, actor_id, actor_kind, action, object_type, object_id, correlation_id, details
       FROM audit_log a WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT $${args.length}`,
      args,
    )) as Row[];
    const page = rows.slice(0, f.limit);
    return {
      entries: page.map((r) => ({
        id: r.id,
        occurredAt: r.occurred_at.toISOString(),
        actorId: r.actor_id,
        actorKind: r.actor_kind,
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        correlationId: r.correlation_id,
        details: r.details,
      })),
      nextBeforeId: rows.length > f.limit ? page[page.length - 1].id : null,
    };
  }
}
