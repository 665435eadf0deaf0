import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { Rtp, RtpStatus } from './rtp';

interface Row {
  id: string;
  tenant_id: string;
  rtp_no: string;
  biller_pk: string;
  request_id: string;
  biller_rtp_id: string | null;
  body_hash: string;
  bill_id: string;
  amount: string;
  currency: string;
  request_type: '00' | '01';
  alias_type: string | null;
  payer_fi_id: string;
  callback_url: string;
  status: RtpStatus;
  payer_response: '00' | '01' | null;
  reject_reason: string | null;
  payment_id: string | null;
  payment_reference: string | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

const toRtp = (r: Row): Rtp => ({
  id: r.id,
  tenantId: r.tenant_id,
  rtpNo: String(r.rtp_no),
  billerPk: r.biller_pk,
  requestId: r.request_id,
  billerRtpId: r.biller_rtp_id,
  bodyHash: r.body_hash,
  billId: r.bill_id,
  amount: BigInt(r.amount),
  currency: r.currency.trim(),
  requestType: r.request_type,
  aliasType: r.alias_type,
  payerFiId: r.payer_fi_id,
  callbackUrl: r.callback_url,
  status: r.status,
  payerResponse: r.payer_response,
  rejectReason: r.reject_reason,
  paymentId: r.payment_id,
  paymentReference: r.payment_reference ?? null,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const SELECT = `SELECT r.*, p.transaction_id AS payment_reference FROM rtp_requests r
                LEFT JOIN bill_payments p ON p.id = r.payment_id`;

export interface NewRtp {
  tenantId: string;
  billerPk: string;
  requestId: string;
  billerRtpId: string | null;
  bodyHash: string;
  billId: string;
  amount: bigint;
  currency: string;
  requestType: '00' | '01';
  aliasType: string | null;
  payerFiId: string;
  callbackUrl: string;
  ttlHours: number;
}

/** Requests to pay: who asked, whom they went to, what the payer FI said and which payment settled them. */
@Injectable()
export class RtpRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Undefined when the biller already used this request ID. */
  async insert(m: EntityManager, r: NewRtp): Promise<Rtp | undefined> {
    const rows = (await m.query(
      `INSERT INTO rtp_requests (tenant_id, biller_pk, request_id, biller_rtp_id, body_hash, bill_id, amount, currency,
                                 request_type, alias_type, payer_fi_id, callback_url, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, now() + ($13::int * interval '1 hour'))
       ON CONFLICT (tenant_id, biller_pk, request_id) DO NOTHING
       RETURNING *, NULL::text AS payment_reference`,
      [
        r.tenantId,
        r.billerPk,
        r.requestId,
        r.billerRtpId,
        r.bodyHash,
        r.billId,
        r.amount.toString(),
        r.currency,
        r.requestType,
        r.aliasType,
        r.payerFiId,
        r.callbackUrl,
        r.ttlHours,
      ],
    )) as Row[];
    return rows[0] ? toRtp(rows[0]) : undefined;
  }

  async byRequestId(tenantId: string, billerPk: string, requestId: string): Promise<Rtp | undefined> {
    const rows = (await this.ds.query(
      `${SELECT} WHERE r.tenant_id = $1 AND r.biller_pk = $2 AND r.request_id = $3`,
      [tenantId, billerPk, requestId],
    )) as Row[];
    return rows[0] ? toRtp(rows[0]) : undefined;
  }

  async byNo(tenantId: string, rtpNo: string, m?: EntityManager, lock = false): Promise<Rtp | undefined> {
    if (!/^[0-9]{1,18}$/.test(rtpNo)) return undefined;
    const rows = (await (m ?? this.ds.manager).query(
      `${SELECT} WHERE r.tenant_id = $1 AND r.rtp_no = $2::bigint ${lock ? 'FOR UPDATE OF r' : ''}`,
      [tenantId, rtpNo],
    )) as Row[];
    return rows[0] ? toRtp(rows[0]) : undefined;
  }

  async setPayerResponse(
    m: EntityManager,
    id: string,
    response: '00' | '01',
    status: RtpStatus,
    rejectReason: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE rtp_requests SET payer_response = $2, status = $3, reject_reason = $4, updated_at = now() WHERE id = $1`,
      [id, response, status, rejectReason],
    );
  }

  /** Open requests to pay for this bill, now completed by the payment. */
  async completeForBill(
    m: EntityManager,
    tenantId: string,
    billId: string,
    paymentId: string,
  ): Promise<Rtp[]> {
    const rows = returnedRows<Row>(
      await m.query(
        `UPDATE rtp_requests r SET status = 'COM', payment_id = $3, updated_at = now()
         FROM bill_payments p
         WHERE r.tenant_id = $1 AND r.bill_id = $2 AND r.status = 'PND' AND p.id = $3
         RETURNING r.*, p.transaction_id AS payment_reference`,
        [tenantId, billId, paymentId],
      ),
    );
    return rows.map(toRtp);
  }

  async expireDue(m: EntityManager, limit: number): Promise<Rtp[]> {
    const rows = returnedRows<Row>(
      await m.query(
        `WITH due AS (SELECT id FROM rtp_requests WHERE status = 'PND' AND expires_at <= now()
                      ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE rtp_requests r SET status = 'EXP', updated_at = now() FROM due WHERE r.id = due.id
         RETURNING r.*, NULL::text AS payment_reference`,
        [limit],
      ),
    );
    return rows.map(toRtp);
  }
}
