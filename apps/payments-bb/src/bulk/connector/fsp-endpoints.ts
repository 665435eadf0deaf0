import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FieldCipher } from '@app/platform';
import { FspCallError, FspEndpoint } from './fsp-connector';

/** Where and how to call a payer FSP: its connector settings and the secret its requests are signed with. */
@Injectable()
export class FspEndpoints {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
  ) {}

  async forFsp(tenantId: string, fspId: string, correlationId?: string | null): Promise<FspEndpoint> {
    const rows = (await this.ds.query(
      `SELECT p.code, p.status, p.callback_secret_enc, p.callback_secret_key_id, c.base_url, c.timeout_ms
       FROM participants p LEFT JOIN fsp_connectors c ON c.tenant_id = p.tenant_id AND c.fsp_id = p.id
       WHERE p.tenant_id = $1 AND p.id = $2`,
      [tenantId, fspId],
    )) as {
      code: string;
      status: string;
      callback_secret_enc: Buffer;
      callback_secret_key_id: string;
      base_url: string | null;
      timeout_ms: number;
    }[];
    const r = rows[0];
    // Not configured or disabled is an operator's to fix; the batch waits and retries rather than failing its payees.
    if (!r || !r.base_url)
      throw new FspCallError('unavailable', `No connector is configured for payer FSP ${r?.code ?? fspId}`);
    if (r.status !== 'active') throw new FspCallError('unavailable', `Payer FSP ${r.code} is disabled`);
    return {
      fspId,
      fspCode: r.code,
      baseUrl: r.base_url,
      timeoutMs: r.timeout_ms,
      secret: this.cipher.open(r.callback_secret_enc, r.callback_secret_key_id),
      correlationId: correlationId ?? undefined,
    };
  }
}
