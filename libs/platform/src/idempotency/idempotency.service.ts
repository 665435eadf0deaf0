import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppException, ErrorCode } from '../errors/app.exception';

export interface IdempotencyClaim {
  tenantId: string;
  /** Which operation the key belongs to, e.g. 'mapper.register.v1:SourceBBID11'. */
  scope: string;
  key: string;
  requestHash: string;
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs an effect at most once per (tenant, scope, key), inside the caller's transaction: the key row is
 * inserted before the effect and its response written after, so both commit or neither does. A concurrent
 * duplicate blocks on the unique key until the first commits, then gets the stored response.
 */
@Injectable()
export class IdempotencyService {
  async execute<T>(
    manager: EntityManager,
    claim: IdempotencyClaim,
    effect: () => Promise<{ status: number; body: T }>,
  ): Promise<StoredResponse<T>> {
    const inserted = (await manager.query(
      `INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING key`,
      [claim.tenantId, claim.scope, claim.key, claim.requestHash],
    )) as unknown[];
    if (inserted.length === 0) return this.replay<T>(manager, claim);
    const result = await effect();
    await manager.query(
      `UPDATE idempotency_keys SET response_status = $4, response_body = $5
       WHERE tenant_id = $1 AND scope = $2 AND key = $3`,
      [claim.tenantId, claim.scope, claim.key, result.status, JSON.stringify(result.body)],
    );
    return { ...result, replayed: false };
  }

  private async replay<T>(manager: EntityManager, claim: IdempotencyClaim): Promise<StoredResponse<T>> {
    const [row] = (await manager.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys
       WHERE tenant_id = $1 AND scope = $2 AND key = $3`,
      [claim.tenantId, claim.scope, claim.key],
    )) as { request_hash: string; response_status: number | null; response_body: T }[];
    if (!row || row.request_hash !== claim.requestHash) {
      throw new AppException(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Key '${claim.key}' was already used with a different request body`,
      );
    }
    if (row.response_status === null) {
      throw new AppException(
        ErrorCode.CONFLICT,
        `Request '${claim.key}' is still being processed; retry later`,
      );
    }
    return { status: row.response_status, body: row.response_body, replayed: true };
  }
}
