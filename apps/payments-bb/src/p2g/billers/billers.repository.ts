import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { AmountExactness, Biller, BillerStatus } from './biller';

interface BillerRow {
  id: string;
  tenant_id: string;
  biller_id: string;
  prefix: string;
  name: string;
  short_name: string;
  kind: 'biller' | 'aggregator';
  participant_id: string | null;
  base_url: string | null;
  digit_tenant_id: string | null;
  digit_business_service: string | null;
  auth_header_name: string | null;
  auth_header_enc: Buffer | null;
  auth_header_key_id: string | null;
  timeout_ms: number;
  currencies: string[];
  settlement_bank_code: string;
  settlement_account: string;
  settlement_name: string | null;
  amount_exactness: AmountExactness;
  partial_payment: boolean;
  min_amount: string;
  status: BillerStatus;
  created_by: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface BillerWithSecret {
  biller: Biller;
  authHeaderEnc: Buffer | null;
  authHeaderKeyId: string | null;
}

export interface NewBillerRow {
  tenantId: string;
  billerId: string;
  prefix: string;
  name: string;
  shortName: string;
  kind: 'biller' | 'aggregator';
  participantId: string | null;
  baseUrl: string | null;
  digit: { tenantId: string; businessService: string } | null;
  authHeaderName: string | null;
  authHeaderEnc: Buffer | null;
  authHeaderKeyId: string | null;
  timeoutMs: number;
  currencies: string[];
  settlementBankCode: string;
  settlementAccount: string;
  settlementName: string | null;
  amountExactness: AmountExactness;
  partialPayment: boolean;
  minAmount: bigint;
  status: BillerStatus;
  createdBy: string;
}

export interface BillerPatch {
  name?: string;
  baseUrl?: string;
  timeoutMs?: number;
  authHeaderName?: string | null;
  authHeaderEnc?: Buffer | null;
  authHeaderKeyId?: string | null;
  currencies?: string[];
  amountExactness?: AmountExactness;
  partialPayment?: boolean;
  minAmount?: bigint;
}

function toBiller(r: BillerRow): Biller {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    billerId: r.biller_id,
    prefix: r.prefix,
    name: r.name,
    shortName: r.short_name,
    kind: r.kind,
    participantId: r.participant_id,
    baseUrl: r.base_url,
    digit:
      r.digit_tenant_id && r.digit_business_service
        ? { tenantId: r.digit_tenant_id, businessService: r.digit_business_service }
        : null,
    authHeaderName: r.auth_header_name,
    timeoutMs: r.timeout_ms,
    currencies: r.currencies,
    settlement: {
      bankCode: r.settlement_bank_code,
      accountNumber: r.settlement_account,
      accountName: r.settlement_name,
    },
    rules: {
      amountExactness: r.amount_exactness,
      partialPayment: r.partial_payment,
      minAmount: BigInt(r.min_amount),
    },
    status: r.status,
    createdBy: r.created_by,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function withSecret(r: BillerRow): BillerWithSecret {
  return { biller: toBiller(r), authHeaderEnc: r.auth_header_enc, authHeaderKeyId: r.auth_header_key_id };
}

/** The billers table; also the per-tenant counters that biller IDs and prefixes are allocated from. */
@Injectable()
export class BillersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The next value of a per-tenant counter, starting at `start`; taken inside the caller's transaction. */
  async nextCounter(m: EntityManager, tenantId: string, name: string, start: number): Promise<number> {
    const rows = (await m.query(
      `INSERT INTO p2g_counters (tenant_id, name, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, name) DO UPDATE SET value = p2g_counters.value + 1
       RETURNING value`,
      [tenantId, name, start],
    )) as { value: string }[];
    return Number(rows[0].value);
  }

  async insert(m: EntityManager, b: NewBillerRow): Promise<Biller> {
    const rows = (await m.query(
      `INSERT INTO billers (tenant_id, biller_id, prefix, name, short_name, kind, participant_id, base_url,
         auth_header_name, auth_header_enc, auth_header_key_id, timeout_ms, currencies, settlement_bank_code,
         settlement_account, settlement_name, amount_exactness, partial_payment, min_amount, status, created_by,
         digit_tenant_id, digit_business_service)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
       RETURNING *`,
      [
        b.tenantId,
        b.billerId,
        b.prefix,
        b.name,
        b.shortName,
        b.kind,
        b.participantId,
        b.baseUrl,
        b.authHeaderName,
        b.authHeaderEnc,
        b.authHeaderKeyId,
        b.timeoutMs,
        b.currencies,
        b.settlementBankCode,
        b.settlementAccount,
        b.settlementName,
        b.amountExactness,
        b.partialPayment,
        b.minAmount.toString(),
        b.status,
        b.createdBy,
        b.digit?.tenantId ?? null,
        b.digit?.businessService ?? null,
      ],
    )) as BillerRow[];
    return toBiller(rows[0]);
  }

  async findByBillerId(
    tenantId: string,
    billerId: string,
    m?: EntityManager,
    lock = false,
  ): Promise<Biller | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM billers WHERE tenant_id = $1 AND biller_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [tenantId, billerId],
    )) as BillerRow[];
    return rows[0] ? toBiller(rows[0]) : undefined;
  }

  async findById(tenantId: string, id: string, m?: EntityManager): Promise<BillerWithSecret | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM billers WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    )) as BillerRow[];
    return rows[0] ? withSecret(rows[0]) : undefined;
  }

  async findByPrefix(tenantId: string, prefix: string): Promise<BillerWithSecret | undefined> {
    const rows = (await this.ds.query(`SELECT * FROM billers WHERE tenant_id = $1 AND prefix = $2`, [
      tenantId,
      prefix,
    ])) as BillerRow[];
    return rows[0] ? withSecret(rows[0]) : undefined;
  }

  async findByParticipant(tenantId: string, participantId: string): Promise<Biller | undefined> {
    const rows = (await this.ds.query(`SELECT * FROM billers WHERE tenant_id = $1 AND participant_id = $2`, [
      tenantId,
      participantId,
    ])) as BillerRow[];
    return rows[0] ? toBiller(rows[0]) : undefined;
  }

  async list(tenantId: string, filter: { status?: string }): Promise<Biller[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM billers WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY biller_id`,
      [tenantId, filter.status ?? null],
    )) as BillerRow[];
    return rows.map(toBiller);
  }

  async decide(
    m: EntityManager,
    id: string,
    status: BillerStatus,
    decidedBy: string,
    reason: string | null,
  ): Promise<Biller> {
    const rows = (await m.query(
      `UPDATE billers SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, status, decidedBy, reason],
    )) as unknown;
    return toBiller(returnedRows<BillerRow>(rows)[0]);
  }

  async setStatus(m: EntityManager, id: string, status: BillerStatus): Promise<Biller> {
    const rows = (await m.query(
      `UPDATE billers SET status = $2, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, status],
    )) as unknown;
    return toBiller(returnedRows<BillerRow>(rows)[0]);
  }

  async update(m: EntityManager, id: string, p: BillerPatch): Promise<Biller> {
    const rows = (await m.query(
      `UPDATE billers SET
         name = COALESCE($2, name),
         base_url = COALESCE($3, base_url),
         timeout_ms = COALESCE($4, timeout_ms),
         auth_header_name = CASE WHEN $5::boolean THEN $6 ELSE auth_header_name END,
         auth_header_enc = CASE WHEN $5::boolean THEN $7::bytea ELSE auth_header_enc END,
         auth_header_key_id = CASE WHEN $5::boolean THEN $8 ELSE auth_header_key_id END,
         currencies = COALESCE($9, currencies),
         amount_exactness = COALESCE($10, amount_exactness),
         partial_payment = COALESCE($11, partial_payment),
         min_amount = COALESCE($12::bigint, min_amount),
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        p.name ?? null,
        p.baseUrl ?? null,
        p.timeoutMs ?? null,
        p.authHeaderName !== undefined,
        p.authHeaderName ?? null,
        p.authHeaderEnc ?? null,
        p.authHeaderKeyId ?? null,
        p.currencies ?? null,
        p.amountExactness ?? null,
        p.partialPayment ?? null,
        p.minAmount?.toString() ?? null,
      ],
    )) as unknown;
    return toBiller(returnedRows<BillerRow>(rows)[0]);
  }
}
