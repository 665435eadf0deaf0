import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { toVoucher, Voucher, VOUCHER_COLUMNS, VoucherRow } from '../domain/voucher';
import { VoucherState } from '../domain/voucher-state';


export interface NewVoucherRows {
  tenantId: string;
  groupId: string;
  provisionId: string | null;
  amount: bigint;
  currency: string;
  expiresAt: Date;
  hashes: Buffer[];
  sealed: Buffer[];
  keyId: string;
}

export interface LegacyVoucherRow {
  serial: bigint;
  hash: Buffer | null;
  sealed: Buffer | null;
  amount: bigint;
  state: VoucherState;
  holderId: string | null;
}

/** Every statement on the vouchers table. Each state change is one conditional UPDATE: it wins or it does not. */
@Injectable()
export class VouchersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Inserts freshly provisioned vouchers set-wise; returns the hashes that collided with an existing number (to
   * be drawn again), which with 2^49 numbers is rare but not impossible over the years.
   */
  async insertProvisioned(m: EntityManager, v: NewVoucherRows): Promise<Set<string>> {
    const rows = returnedRows<{ h: Buffer }>(
      await m.query(
        `INSERT INTO vouchers (tenant_id, group_id, provision_id, serial, number_hash, number_enc, number_key_id, amount, currency, state, expires_at)
         SELECT $1, $2, $3, nextval('voucher_serials'), h, e, $4, $5, $6, 'provisioned', $7
         FROM unnest($8::bytea[], $9::bytea[]) AS u(h, e)
         ON CONFLICT (tenant_id, number_hash) WHERE number_hash IS NOT NULL DO NOTHING
         RETURNING number_hash AS h`,
        [
          v.tenantId,
          v.groupId,
          v.provisionId,
          v.keyId,
          v.amount.toString(),
          v.currency,
          v.expiresAt,
          v.hashes,
          v.sealed,
        ],
      ),
    );
    const inserted = new Set(rows.map((r) => r.h.toString('hex')));
    return new Set(v.hashes.map((h) => h.toString('hex')).filter((h) => !inserted.has(h)));
  }

  /** Legacy vouchers keep their serials and numbers; returns how many were new (existing serials are left alone). */
  async insertLegacy(
    m: EntityManager,
    tenantId: string,
    groupId: string,
    currency: string,
    expiresAt: Date,
    keyId: string,
    rows: LegacyVoucherRow[],
  ): Promise<number> {
    const done = returnedRows<{ id: string }>(
      await m.query(
        `INSERT INTO vouchers (tenant_id, group_id, serial, number_hash, number_enc, number_key_id, amount, currency, state, holder_id,
                               legacy, expires_at, preactivated_at, activated_at, finished_at)
         SELECT $1, $2, s, h, e, CASE WHEN h IS NULL THEN NULL ELSE $3 END, a, $4, st, hd, true, $5,
                CASE WHEN st <> 'provisioned' THEN now() END, CASE WHEN st IN ('activated','suspended','blocked') THEN now() END,
                CASE WHEN st = 'purged' THEN now() END
         FROM unnest($6::bigint[], $7::bytea[], $8::bytea[], $9::bigint[], $10::text[], $11::uuid[]) AS u(s, h, e, a, st, hd)
         ON CONFLICT (tenant_id, serial) DO NOTHING RETURNING id`,
        [
          tenantId,
          groupId,
          keyId,
          currency,
          expiresAt,
          rows.map((r) => r.serial.toString()),
          rows.map((r) => r.hash),
          rows.map((r) => r.sealed),
          rows.map((r) => r.amount.toString()),
          rows.map((r) => r.state),
          rows.map((r) => r.holderId),
        ],
      ),
    );
    return done.length;
  }

  async bySerial(
    tenantId: string,
    serial: bigint,
    m: EntityManager = this.ds.manager,
  ): Promise<Voucher | undefined> {
    const rows = (await m.query(
      `SELECT ${VOUCHER_COLUMNS} FROM vouchers WHERE tenant_id = $1 AND serial = $2`,
      [tenantId, serial.toString()],
    )) as VoucherRow[];
    return rows[0] && toVoucher(rows[0]);
  }

  async bySerials(
    tenantId: string,
    serials: bigint[],
    m: EntityManager = this.ds.manager,
  ): Promise<Voucher[]> {
    const rows = (await m.query(
      `SELECT ${VOUCHER_COLUMNS} FROM vouchers WHERE tenant_id = $1 AND serial = ANY($2::bigint[])`,
      [tenantId, serials.map(String)],
    )) as VoucherRow[];
    return rows.map(toVoucher);
  }

  async byHash(
    tenantId: string,
    hash: Buffer,
    m: EntityManager = this.ds.manager,
  ): Promise<Voucher | undefined> {
    const rows = (await m.query(
      `SELECT ${VOUCHER_COLUMNS} FROM vouchers WHERE tenant_id = $1 AND number_hash = $2`,
      [tenantId, hash],
    )) as VoucherRow[];
    return rows[0] && toVoucher(rows[0]);
  }

  async byId(id: string, m: EntityManager = this.ds.manager): Promise<Voucher | undefined> {
    const rows = (await m.query(`SELECT ${VOUCHER_COLUMNS} FROM vouchers WHERE id = $1`, [
      id,
    ])) as VoucherRow[];
    return rows[0] && toVoucher(rows[0]);
  }

  /**
   * Takes `count` vouchers of the group and amount from stock for a holder. SKIP LOCKED lets parallel
   * pre-activations take different vouchers instead of queueing on the same one.
   */
  async takeFromStock(
    m: EntityManager,
    groupId: string,
    amount: bigint,
    count: number,
    holderId: string,
    extra: {
      payeeFunctionalIds?: (string | null)[];
      instructionIds?: (string | null)[];
      narrations?: (string | null)[];
    } = {},
  ): Promise<Voucher[]> {
    const rows = returnedRows<VoucherRow>(
      await m.query(
        `WITH picked AS (
           SELECT id, row_number() OVER (ORDER BY serial) AS n FROM (
             SELECT id, serial FROM vouchers WHERE group_id = $1 AND amount = $2 AND state = 'provisioned' AND expires_at > now()
             ORDER BY serial LIMIT $3 FOR UPDATE SKIP LOCKED) s),
         extra AS (SELECT * FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(payee, instruction, narration, n))
         UPDATE vouchers v SET state = 'preactivated', holder_id = $4, preactivated_at = now(), updated_at = now(),
           payee_functional_id = extra.payee, instruction_id = extra.instruction, narration = extra.narration
         FROM picked LEFT JOIN extra ON extra.n = picked.n
         WHERE v.id = picked.id
         RETURNING ${VOUCHER_COLUMNS.split(',')
           .map((c) => `v.${c.trim()}`)
           .join(', ')}`,
        [
          groupId,
          amount.toString(),
          count,
          holderId,
          extra.payeeFunctionalIds ?? [],
          extra.instructionIds ?? [],
          extra.narrations ?? [],
        ],
      ),
    );
    return rows.map(toVoucher).sort((a, b) => (a.serial < b.serial ? -1 : 1));
  }

  /**
   * Moves the given vouchers from one of `from` to `to`; returns those that moved. Nothing past its expiry
   * becomes usable again (activation, unsuspend), even before the sweeper has marked it expired.
   */
  async transition(
    m: EntityManager,
    tenantId: string,
    serials: bigint[],
    from: readonly VoucherState[],
    to: VoucherState,
    opts: { holderId?: string | null; reason?: string | null } = {},
  ): Promise<Voucher[]> {
    const finished = ['consumed', 'cancelled', 'expired'].includes(to);
    const rows = returnedRows<VoucherRow>(
      await m.query(
        `UPDATE vouchers SET state = $4, updated_at = now(), state_reason = $6,
           activated_at = CASE WHEN $4 = 'activated' THEN COALESCE(activated_at, now()) ELSE activated_at END,
           finished_at = CASE WHEN $7 THEN now() ELSE finished_at END
         WHERE tenant_id = $1 AND serial = ANY($2::bigint[]) AND state = ANY($3::text[]) AND ($5::uuid IS NULL OR holder_id = $5)
           AND ($4 <> 'activated' OR expires_at > now())
         RETURNING ${VOUCHER_COLUMNS}`,
        [tenantId, serials.map(String), [...from], to, opts.holderId ?? null, opts.reason ?? null, finished],
      ),
    );
    return rows.map(toVoucher);
  }

  async finishRedemption(m: EntityManager, id: string, to: 'consumed' | 'activated'): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE vouchers SET state = $2, updated_at = now(), finished_at = CASE WHEN $2 = 'consumed' THEN now() END
         WHERE id = $1 AND state = 'redeeming' RETURNING id`,
        [id, to],
      ),
    );
    return rows.length > 0;
  }

  /** Consumes redeeming vouchers whose redemptions completed. */
  async consumeMany(m: EntityManager, ids: string[]): Promise<void> {
    await m.query(
      `UPDATE vouchers SET state = 'consumed', updated_at = now(), finished_at = now()
       WHERE id = ANY($1::uuid[]) AND state = 'redeeming'`,
      [ids],
    );
  }

  /**
   * A voucher consumed by a bill payment the biller then rejected is usable again (its value went back to the
   * liability account in the same transaction). False when it was not consumed.
   */
  async reinstate(m: EntityManager, id: string, reason: string): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE vouchers SET state = 'activated', finished_at = NULL, state_reason = $2, updated_at = now()
         WHERE id = $1 AND state = 'consumed' RETURNING id`,
        [id, reason],
      ),
    );
    return rows.length === 1;
  }

  /** Expires up to `limit` vouchers past their date; returns what each group gives back. */
  async expireDue(
    m: EntityManager,
    limit: number,
  ): Promise<{ tenantId: string; groupId: string; currency: string; count: number; amount: bigint }[]> {
    const rows = (await m.query(
      `WITH due AS (
         SELECT id FROM vouchers WHERE expires_at <= now() AND state IN ('provisioned','preactivated','activated','suspended')
         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),
       done AS (
         UPDATE vouchers v SET state = 'expired', finished_at = now(), updated_at = now(), state_reason = 'expired on ' || to_char(v.expires_at, 'YYYY-MM-DD"T"HH24:MI:SSOF')
         FROM due WHERE v.id = due.id RETURNING v.tenant_id, v.group_id, v.currency, v.amount)
       SELECT tenant_id, group_id, currency, count(*)::int AS count, sum(amount)::text AS amount FROM done GROUP BY tenant_id, group_id, currency`,
      [limit],
    )) as { tenant_id: string; group_id: string; currency: string; count: number; amount: string }[];
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      groupId: r.group_id,
      currency: r.currency,
      count: r.count,
      amount: BigInt(r.amount),
    }));
  }

  /** Forgets the numbers of vouchers finished before `before`; the rows stay for the ledger and the audit trail. */
  async purgeFinished(before: Date, limit: number): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await this.ds.query(
        `UPDATE vouchers SET state = 'purged', number_hash = NULL, number_enc = NULL, number_key_id = NULL, updated_at = now(),
           state_reason = 'purged when ' || state
         WHERE id IN (SELECT id FROM vouchers WHERE state IN ('consumed','cancelled','expired') AND finished_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [before, limit],
      ),
    );
    return rows.length;
  }
}
