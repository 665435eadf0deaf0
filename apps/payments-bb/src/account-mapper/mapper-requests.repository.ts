import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FailedCase } from './domain/failed-case';

export interface MapperRequest {
  id: string;
  tenantId: string;
  sourceBbId: string;
  requestId: string;
  operation: 'register' | 'update';
  status: 'accepted' | 'completed';
  callbackUrl: string | null;
  payloadEnc: Buffer | null;
  payloadKeyId: string | null;
  total: number;
  failed: number | null;
  failedCases: FailedCase[] | null;
  callbackDeliveryId: string | null;
  actorId: string;
  actorKind: string;
  correlationId: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export type NewMapperRequest = Pick<
  MapperRequest,
  'tenantId' | 'sourceBbId' | 'requestId' | 'operation' | 'callbackUrl' | 'payloadEnc' | 'payloadKeyId' | 'total' | 'actorId' | 'actorKind' | 'correlationId'
>;

const SELECT = `SELECT id, tenant_id AS "tenantId", source_bb_id AS "sourceBbId", request_id AS "requestId", operation, status,
  callback_url AS "callbackUrl", payload_enc AS "payloadEnc", payload_key_id AS "payloadKeyId", total, failed,
  failed_cases AS "failedCases", callback_delivery_id AS "callbackDeliveryId", actor_id AS "actorId",
  actor_kind AS "actorKind", correlation_id AS "correlationId", created_at AS "createdAt", completed_at AS "completedAt"
  FROM mapper_requests`;

/** v3 requests accepted for asynchronous processing; the payload is sealed and dropped once processed. */
@Injectable()
export class MapperRequestsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: EntityManager, r: NewMapperRequest): Promise<string | undefined> {
    const rows = (await m.query(
      `INSERT INTO mapper_requests (tenant_id, source_bb_id, request_id, operation, status, callback_url, payload_enc,
                                    payload_key_id, total, actor_id, actor_kind, correlation_id)
       VALUES ($1,$2,$3,$4,'accepted',$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT (tenant_id, source_bb_id, operation, request_id) DO NOTHING RETURNING id`,
      [r.tenantId, r.sourceBbId, r.requestId, r.operation, r.callbackUrl, r.payloadEnc, r.payloadKeyId, r.total,
        r.actorId, r.actorKind, r.correlationId],
    )) as { id: string }[];
    return rows[0]?.id;
  }

  /** Locks an accepted request for processing; another worker holding it makes this return undefined. */
  async claim(m: EntityManager, id: string): Promise<MapperRequest | undefined> {
    const rows = (await m.query(`${SELECT} WHERE id = $1 AND status = 'accepted' FOR UPDATE SKIP LOCKED`, [id])) as MapperRequest[];
    return rows[0];
  }

  async complete(m: EntityManager, id: string, failedCases: FailedCase[], callbackDeliveryId: string | null): Promise<void> {
    await m.query(
      `UPDATE mapper_requests SET status = 'completed', payload_enc = NULL, payload_key_id = NULL, failed = $2,
              failed_cases = $3, callback_delivery_id = $4, completed_at = now()
       WHERE id = $1`,
      [id, failedCases.length, JSON.stringify(failedCases), callbackDeliveryId],
    );
  }

  async find(tenantId: string, sourceBbId: string, operation: string, requestId: string): Promise<MapperRequest | undefined> {
    const rows = (await this.ds.query(
      `${SELECT} WHERE tenant_id = $1 AND source_bb_id = $2 AND operation = $3 AND request_id = $4`,
      [tenantId, sourceBbId, operation, requestId],
    )) as MapperRequest[];
    return rows[0];
  }

  async pendingIds(limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT id FROM mapper_requests WHERE status = 'accepted' ORDER BY created_at LIMIT $1`,
      [limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
