import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { toVoucher, Voucher, VOUCHER_COLUMNS, VoucherRow } from '../domain/voucher';
import { lockedOut } from './guess-throttle';

export type RedemptionState = 'sending' | 'unknown' | 'completed' | 'failed';

export interface Redemption {
  id: string;
  tenantId: string;
  voucherId: string;
  merchantId: string;
  callerId: string | null;
  requestId: string | null;
  amount: bigint;
  currency: string;
  override: boolean;
  state: RedemptionState;
  attempts: number;
  fspReference: string | null;
  reasonCode: string | null;
  reason: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface Row {
  id: string;
  tenant_id: string;
  voucher_id: string;
  merchant_id: string;
  caller_id: string | null;
  request_id: string | null;
  amount: string;
  currency: string;
  override: boolean;
  state: RedemptionState;
  attempts: number;
  fsp_reference: string | null;
  reason_code: string | null;
  reason: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toRedemption = (r: Row): Redemption => ({
  id: r.id,
  tenantId: r.tenant_id,
  voucherId: r.voucher_id,
  merchantId: r.merchant_id,
  callerId: r.caller_id,
  requestId: r.request_id,
  amount: BigInt(r.amount),
  currency: r.currency,
  override: r.override,
  state: r.state,
  attempts: r.attempts,
  fspReference: r.fsp_reference,
  reasonCode: r.reason_code,
  reason: r.reason,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

const COLUMNS = `id, tenant_id, voucher_id, merchant_id, caller_id, request_id, amount::text, currency, override, state, attempts,
  fsp_reference, reason_code, reason, created_at, finished_at`;


@Injectable()
export class RedemptionsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The one conditional statement that makes a redemption exactly-once: it claims an activated, unexpired voucher
   * of a group the merchant may take (unless overridden) for a caller that is not locked out, and records the
   * redemption, in one round trip. Of any number of concurrent claims of a voucher one gets it; the others get
   * nothing and find out why afterwards.
   */
  async claim(c: {
    tenantId: string;
    numberHash: Buffer;
    serial: bigint | null;
    merchantGroups: string[];
    override: boolean;
    guesser: string;
    merchantId: string;
    callerId: string | null;
    requestId: string | null;
  }): Promise<{ voucher: Voucher; redemption: Redemption } | undefined> {
    const rows = (await this.ds.query(
      `WITH c AS (
         UPDATE vouchers v SET state = 'redeeming', updated_at = now()
         WHERE v.tenant_id = $1 AND v.number_hash = $2 AND v.state = 'activated' AND v.expires_at > now()
           AND ($3::bigint IS NULL OR v.serial = $3)
           AND ($5 OR EXISTS (SELECT 1 FROM voucher_groups g WHERE g.id = v.group_id
                               AND (g.code = ANY($4::text[]) OR g.merchant_groups && $4::text[])))
           AND NOT ${lockedOut('$1', '$6')}
         RETURNING ${VOUCHER_COLUMNS}),
       r AS (
         INSERT INTO voucher_redemptions (tenant_id, voucher_id, merchant_id, caller_id, request_id, amount, currency, override, state, attempts, next_check_at)
         SELECT c.tenant_id, c.id, $7, $8, $9, c.amount::bigint, c.currency, $5, 'sending', 1, now() + interval '5 minutes' FROM c
         RETURNING id, created_at)
       SELECT c.*, r.id AS redemption_id, r.created_at AS redemption_created_at FROM c, r`,
      [
        c.tenantId,
        c.numberHash,
        c.serial?.toString() ?? null,
        c.merchantGroups,
        c.override,
        c.guesser,
        c.merchantId,
        c.callerId,
        c.requestId,
      ],
    )) as (VoucherRow & { redemption_id: string; redemption_created_at: Date })[];
    if (!rows.length) return undefined;
    const voucher = toVoucher(rows[0]);
    return {
      voucher,
      redemption: {
        id: rows[0].redemption_id,
        tenantId: c.tenantId,
        voucherId: voucher.id,
        merchantId: c.merchantId,
        callerId: c.callerId,
        requestId: c.requestId,
        amount: voucher.amount,
        currency: voucher.currency,
        override: c.override,
        state: 'sending',
        attempts: 1,
        fspReference: null,
        reasonCode: null,
        reason: null,
        createdAt: rows[0].redemption_created_at,
        finishedAt: null,
      },
    };
  }

  async byId(id: string, m: EntityManager = this.ds.manager): Promise<Redemption | undefined> {
    const rows = (await m.query(`SELECT ${COLUMNS} FROM voucher_redemptions WHERE id = $1`, [id])) as Row[];
    return rows[0] && toRedemption(rows[0]);
  }

  /** The redemption under way or done for a voucher, if any. */
  async liveFor(voucherId: string): Promise<Redemption | undefined> {
    const rows = (await this.ds.query(
      `SELECT ${COLUMNS} FROM voucher_redemptions WHERE voucher_id = $1 AND state IN ('sending','unknown','completed')`,
      [voucherId],
    )) as Row[];
    return rows[0] && toRedemption(rows[0]);
  }

  /** Closes an open redemption; false when another path closed it first. */
  async finish(
    m: EntityManager,
    id: string,
    to: 'completed' | 'failed',
    f: {
      fspReference?: string | null;
      reasonCode?: string | null;
      reason?: string | null;
      transferId?: string | null;
    },
  ): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE voucher_redemptions SET state = $2, fsp_reference = $3, reason_code = $4, reason = $5, transfer_id = $6, finished_at = now(), next_check_at = NULL
         WHERE id = $1 AND state IN ('sending','unknown') RETURNING id`,
        [id, to, f.fspReference ?? null, f.reasonCode ?? null, f.reason ?? null, f.transferId ?? null],
      ),
    );
    return rows.length > 0;
  }

  /** Completes open redemptions the payer FSP paid, set-wise; returns the IDs this call closed. */
  async completeMany(m: EntityManager, paid: { id: string; fspReference: string | null }[]): Promise<Set<string>> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE voucher_redemptions r SET state = 'completed', fsp_reference = p.ref, transfer_id = r.id, finished_at = now(), next_check_at = NULL
         FROM unnest($1::uuid[], $2::text[]) AS p(id, ref)
         WHERE r.id = p.id AND r.state IN ('sending','unknown') RETURNING r.id`,
        [paid.map((p) => p.id), paid.map((p) => p.fspReference)],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  async markUnknown(id: string, reason: string, delayMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE voucher_redemptions SET state = 'unknown', reason = $2, attempts = attempts + 1, next_check_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND state IN ('sending','unknown')`,
      [id, reason.slice(0, 500), delayMs],
    );
  }

  /** Open redemptions whose next check is due (a 'sending' one is due when its process died mid-call). */
  async due(limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT id FROM voucher_redemptions WHERE state IN ('sending','unknown') AND next_check_at <= now() ORDER BY next_check_at LIMIT $1`,
      [limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
