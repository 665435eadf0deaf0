import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatAmount } from '@app/ledger/money';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of three ad-hoc queries, mapped field by field below
type Rec = Record<string, any>;

/** Inquiries shown per bill: the newest; a bill asked about thousands of times needs no more to be understood. */
const INQUIRIES = 50;

/** Everything the server recorded about one bill ID: its running state, the payments and the inquiries. */
@Injectable()
export class BillLookupRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(tenantId: string, billId: string) {
    const [bills, payments, inquiries] = await Promise.all([
      this.ds.query(
        `SELECT b.bill_id, b.currency, b.amount_due, b.amount_paid, b.status, b.updated_at, bl.biller_id, bl.name AS biller_name
         FROM bills b JOIN billers bl ON bl.id = b.biller_pk WHERE b.tenant_id = $1 AND b.bill_id = $2`,
        [tenantId, billId],
      ) as Promise<Rec[]>,
      this.ds.query(
        `SELECT bp.id, bp.channel, bp.transaction_id, bp.request_id, bp.amount, bp.currency, bp.receipt_no, bp.status,
                bp.reject_reason, bp.advice_status, bp.advice_attempts, bp.advice_last_error, bp.advice_done_at,
                bp.created_at, p.code AS payer_fi_code, bl.biller_id
         FROM bill_payments bp JOIN participants p ON p.id = bp.payer_fi_id JOIN billers bl ON bl.id = bp.biller_pk
         WHERE bp.tenant_id = $1 AND bp.bill_id = $2 ORDER BY bp.created_at DESC`,
        [tenantId, billId],
      ) as Promise<Rec[]>,
      this.ds.query(
        `SELECT i.request_id, i.bill_status, to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.amount_due, i.amount_after_due, i.currency, i.created_at,
                p.code AS payer_fi_code
         FROM bill_inquiries i JOIN participants p ON p.id = i.payer_fi_id
         WHERE i.tenant_id = $1 AND i.bill_id = $2 ORDER BY i.created_at DESC LIMIT ${INQUIRIES}`,
        [tenantId, billId],
      ) as Promise<Rec[]>,
    ]);
    const money = (v: string, currency: string) => formatAmount(BigInt(v), currency.trim());
    const b = bills[0];
    return {
      billId,
      bill: b
        ? {
            billerId: b.biller_id,
            billerName: b.biller_name,
            currency: b.currency.trim(),
            amountDue: money(b.amount_due, b.currency),
            amountPaid: money(b.amount_paid, b.currency),
            status: b.status,
            updatedAt: (b.updated_at as Date).toISOString(),
          }
        : null,
      payments: payments.map((p) => ({
        paymentId: p.id,
        billerId: p.biller_id,
        payerFi: p.payer_fi_code,
        channel: p.channel,
        transactionId: p.transaction_id,
        requestId: p.request_id,
        amount: money(p.amount, p.currency),
        currency: p.currency.trim(),
        receiptNo: p.receipt_no,
        status: p.status,
        rejectReason: p.reject_reason,
        adviceStatus: p.advice_status,
        adviceAttempts: p.advice_attempts,
        adviceLastError: p.advice_last_error,
        adviceDoneAt: p.advice_done_at ? (p.advice_done_at as Date).toISOString() : null,
        createdAt: (p.created_at as Date).toISOString(),
      })),
      inquiries: inquiries.map((i) => ({
        requestId: i.request_id,
        payerFi: i.payer_fi_code,
        billStatus: i.bill_status,
        dueDate: i.due_date,
        amountDue: money(i.amount_due, i.currency),
        amountAfterDue: money(i.amount_after_due, i.currency),
        currency: i.currency.trim(),
        at: (i.created_at as Date).toISOString(),
      })),
    };
  }
}
