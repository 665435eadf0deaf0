import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { AdviceStatus, BillPayment, PaymentChannel } from './bill-payment';

interface Row {
  id: string;
  tenant_id: string;
  payer_fi_id: string;
  channel: PaymentChannel;
  transaction_id: string;
  request_id: string;
  body_hash: string;
  inquiry_id: string | null;
  biller_pk: string;
  bill_id: string;
  bill_key: string | null;
  amount: string;
  currency: string;
  receipt_no: string;
  ledger_transfer_id: string;
  voucher_id: string | null;
  status: BillPayment['status'];
  reject_reason: string | null;
  advice_status: AdviceStatus;
  advice_attempts: number;
  advice_next_at: Date | null;
  advice_last_status: number | null;
  advice_last_error: string | null;
  advice_done_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toPayment(r: Row): BillPayment {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    payerFiId: r.payer_fi_id,
    channel: r.channel,
    transactionId: r.transaction_id,
    requestId: r.request_id,
    bodyHash: r.body_hash,
    inquiryId: r.inquiry_id,
    billerPk: r.biller_pk,
    billId: r.bill_id,
    billKey: r.bill_key ?? r.bill_id,
    amount: BigInt(r.amount),
    currency: r.currency.trim(),
    receiptNo: r.receipt_no,
    ledgerTransferId: r.ledger_transfer_id,
    voucherId: r.voucher_id,
    status: r.status,
    rejectReason: r.reject_reason,
    adviceStatus: r.advice_status,
    adviceAttempts: r.advice_attempts,
    adviceNextAt: r.advice_next_at,
    adviceLastStatus: r.advice_last_status,
    adviceLastError: r.advice_last_error,
    adviceDoneAt: r.advice_done_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface NewPayment {
  id: string;
  tenantId: string;
  payerFiId: string;
  channel: PaymentChannel;
  transactionId: string;
  requestId: string;
  bodyHash: string;
  inquiryId: string | null;
  billerPk: string;
  billId: string;
  billKey: string;
  amount: bigint;
  currency: string;
  ledgerTransferId: string;
  voucherId: string | null;
  /** 'internal' for billers served by this server (no advice to send). */
  adviceStatus: 'pending' | 'internal';
}

/** Bill payments and the state of their mark-bill-paid advice. */
@Injectable()
export class BillPaymentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async findByTransaction(
    tenantId: string,
    payerFiId: string,
    transactionId: string,
    m?: EntityManager,
  ): Promise<BillPayment | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM bill_payments WHERE tenant_id = $1 AND payer_fi_id = $2 AND transaction_id = $3`,
      [tenantId, payerFiId, transactionId],
    )) as Row[];
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async findById(id: string, m?: EntityManager, lock = false): Promise<BillPayment | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM bill_payments WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    )) as Row[];
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async findByReceipt(tenantId: string, receiptNo: string): Promise<BillPayment | undefined> {
    const rows = (await this.ds.query(
      `SELECT * FROM bill_payments WHERE tenant_id = $1 AND receipt_no = $2`,
      [tenantId, receiptNo],
    )) as Row[];
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async findForBill(tenantId: string, billId: string): Promise<BillPayment[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM bill_payments WHERE tenant_id = $1 AND bill_id = $2 ORDER BY created_at`,
      [tenantId, billId],
    )) as Row[];
    return rows.map(toPayment);
  }

  /** Undefined when the transaction ID was taken meanwhile (the caller re-reads it as a replay). */
  async insert(m: EntityManager, p: NewPayment): Promise<BillPayment | undefined> {
    const rows = (await m.query(
      `INSERT INTO bill_payments (id, tenant_id, payer_fi_id, channel, transaction_id, request_id, body_hash, inquiry_id,
         biller_pk, bill_id, amount, currency, receipt_no, ledger_transfer_id, voucher_id, advice_status, advice_next_at, bill_key)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, 'R' || lpad(nextval('bill_receipt_seq')::text, 11, '0'),
               $13,$14,$15, CASE WHEN $15 = 'pending' THEN now() END, NULLIF($16, $10))
       ON CONFLICT (tenant_id, payer_fi_id, transaction_id) DO NOTHING
       RETURNING *`,
      [
        p.id,
        p.tenantId,
        p.payerFiId,
        p.channel,
        p.transactionId,
        p.requestId,
        p.bodyHash,
        p.inquiryId,
        p.billerPk,
        p.billId,
        p.amount.toString(),
        p.currency,
        p.ledgerTransferId,
        p.voucherId,
        p.adviceStatus,
        p.billKey,
      ],
    )) as Row[];
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  /**
   * Takes the advice of a pending payment for one send: nobody else sends it until the lease runs out (a worker
   * that dies or stops mid-call leaves it to the sweeper once the lease is over). Undefined when it is not due or
   * someone holds it.
   */
  async lease(id: string, marginMs: number): Promise<BillPayment | undefined> {
    // As long as the biller's timeout and a margin: a worker stopped mid-send holds the advice no longer than that.
    const r = (await this.ds.query(
      `UPDATE bill_payments SET
              advice_lease_until = now() + (((SELECT timeout_ms FROM billers WHERE id = biller_pk) + $2::int) * interval '1 millisecond'),
              advice_attempts = advice_attempts + 1, updated_at = now()
       WHERE id = $1 AND advice_status = 'pending' AND (advice_lease_until IS NULL OR advice_lease_until < now())
       RETURNING *`,
      [id, marginMs],
    )) as unknown;
    const rows = returnedRows<Row>(r);
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  /** After a failed send: when to try again, and what went wrong. */
  async retryLater(id: string, delayMs: number, status: number | null, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE bill_payments SET advice_next_at = now() + ($2::int * interval '1 millisecond'), advice_lease_until = NULL,
              advice_last_status = $3, advice_last_error = $4, updated_at = now()
       WHERE id = $1 AND advice_status = 'pending'`,
      [id, delayMs, status, error.slice(0, 500)],
    );
  }

  /** Moves a pending (or accepted) advice to its outcome; false when another path got there first. */
  async settleAdvice(
    m: EntityManager,
    id: string,
    from: AdviceStatus[],
    to: AdviceStatus,
    fields: {
      status?: BillPayment['status'];
      rejectReason?: string | null;
      httpStatus?: number | null;
      error?: string | null;
    },
  ): Promise<BillPayment | undefined> {
    const r = (await m.query(
      `UPDATE bill_payments SET advice_status = $3, status = COALESCE($4, status), reject_reason = COALESCE($5, reject_reason),
              advice_last_status = COALESCE($6, advice_last_status), advice_last_error = $7, advice_lease_until = NULL,
              advice_next_at = NULL, advice_done_at = CASE WHEN $3 IN ('acknowledged','rejected') THEN now() ELSE advice_done_at END,
              updated_at = now()
       WHERE id = $1 AND advice_status = ANY($2::text[])
       RETURNING *`,
      [
        id,
        from,
        to,
        fields.status ?? null,
        fields.rejectReason ?? null,
        fields.httpStatus ?? null,
        fields.error ?? null,
      ],
    )) as unknown;
    const rows = returnedRows<Row>(r);
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async setNotified(m: EntityManager, id: string, callbackId: string): Promise<void> {
    await m.query(`UPDATE bill_payments SET payer_notified_id = $2 WHERE id = $1`, [id, callbackId]);
  }

  /** Pending advices due now whose lease (if any) ran out: what the sweeper re-enqueues. */
  async due(limit: number): Promise<{ id: string; attempts: number }[]> {
    return (await this.ds.query(
      `SELECT id, advice_attempts AS attempts FROM bill_payments
       WHERE advice_status = 'pending' AND advice_next_at <= now()
         AND (advice_lease_until IS NULL OR advice_lease_until < now())
       ORDER BY advice_next_at LIMIT $1`,
      [limit],
    )) as { id: string; attempts: number }[];
  }

  /** Manual re-send of an advice that failed for good (or a nudge to one waiting): due now. */
  async requeue(tenantId: string, id: string, m: EntityManager = this.ds.manager): Promise<BillPayment | undefined> {
    const r = (await m.query(
      `UPDATE bill_payments SET advice_status = 'pending', advice_next_at = now(), advice_lease_until = NULL, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND advice_status IN ('pending','failed','accepted')
       RETURNING *`,
      [tenantId, id],
    )) as unknown;
    const rows = returnedRows<Row>(r);
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  async listAdvices(tenantId: string, status: string | undefined, limit: number): Promise<BillPayment[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM bill_payments WHERE tenant_id = $1 AND ($2::text IS NULL OR advice_status = $2)
       ORDER BY created_at DESC LIMIT $3`,
      [tenantId, status ?? null, limit],
    )) as Row[];
    return rows.map(toPayment);
  }
}
