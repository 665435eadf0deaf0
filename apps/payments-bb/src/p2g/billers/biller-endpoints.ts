import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException, ErrorCode, FieldCipher } from '@app/platform';
import { PREFIX_LENGTH } from '../p2g.constants';
import { Biller, BillerEndpoint } from './biller';
import { BillersRepository, BillerWithSecret } from './billers.repository';

/** Long enough to spare the database on every inquiry, short enough that a suspension bites across processes. */
const TTL_MS = 5_000;

interface Cached {
  at: number;
  endpoint: BillerEndpoint | null;
}

/**
 * Finds the biller a bill ID belongs to (by its prefix) and what calling it needs: the decrypted auth header and
 * the secret requests to it are signed with. Answers are cached briefly per process; this process's own changes
 * to a biller drop its entry at once.
 */
@Injectable()
export class BillerEndpoints {
  private readonly byPrefix = new Map<string, Cached>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BillersRepository,
    private readonly cipher: FieldCipher,
  ) {}

  /** The active biller for this bill ID, or P2G_UNKNOWN_BILLER. */
  async forBill(tenantId: string, billId: string): Promise<BillerEndpoint> {
    const prefix = billId.slice(0, PREFIX_LENGTH);
    const key = `${tenantId}\u0000${prefix}`;
    const now = Date.now();
    let hit = this.byPrefix.get(key);
    if (!hit || now - hit.at > TTL_MS) {
      const row = /^[0-9]{4}$/.test(prefix) ? await this.repo.findByPrefix(tenantId, prefix) : undefined;
      hit = { at: now, endpoint: row ? await this.open(row) : null };
      this.byPrefix.set(key, hit);
    }
    const e = hit.endpoint;
    if (!e || e.biller.status !== 'active')
      throw new AppException(
        ErrorCode.P2G_UNKNOWN_BILLER,
        e
          ? `Biller for bill prefix ${prefix} is ${e.biller.status}`
          : `No biller is registered for bill prefix ${prefix}`,
      );
    return e;
  }

  /** The biller by its primary key, whatever its status (advices still go to a suspended biller). */
  async byId(tenantId: string, id: string): Promise<BillerEndpoint> {
    const row = await this.repo.findById(tenantId, id);
    if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No biller ${id}`);
    return this.open(row);
  }

  forget(b: Biller): void {
    this.byPrefix.delete(`${b.tenantId}\u0000${b.prefix}`);
  }

  private async open(row: BillerWithSecret): Promise<BillerEndpoint> {
    const b = row.biller;
    let signingSecret: string | null = null;
    if (b.participantId) {
      const p = (await this.ds.query(
        `SELECT callback_secret_enc, callback_secret_key_id FROM participants WHERE tenant_id = $1 AND id = $2`,
        [b.tenantId, b.participantId],
      )) as { callback_secret_enc: Buffer; callback_secret_key_id: string }[];
      if (p[0]) signingSecret = this.cipher.open(p[0].callback_secret_enc, p[0].callback_secret_key_id);
    }
    return {
      biller: b,
      authHeaderValue:
        row.authHeaderEnc && row.authHeaderKeyId
          ? this.cipher.open(row.authHeaderEnc, row.authHeaderKeyId)
          : null,
      signingSecret,
    };
  }
}
