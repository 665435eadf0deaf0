import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PayerData } from '../payer-data';
import { DigitPayment, DigitPaymentDetail } from './payment';

export interface PaymentSearch {
  tenantId: string;
  tenantPrefix?: boolean;
  ids?: string[];
  billIds?: string[];
  receiptNumbers?: string[];
  statuses?: string[];
  instrumentStatuses?: string[];
  paymentModes?: string[];
  payerIds?: string[];
  consumerCodes?: string[];
  businessServices?: string[];
  transactionNumber?: string;
  mobileHash?: Buffer;
  fromDate?: number;
  toDate?: number;
  offset?: number;
  limit?: number;
}

type NewPayment = Omit<DigitPayment, 'id' | 'createdAt' | 'updatedAt' | 'details'> & {
  details: Omit<DigitPaymentDetail, 'id'>[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Payments and their details (one receipt per bill). */
@Injectable()
export class DigitPaymentsRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly payers: PayerData,
  ) {}

  async insert(m: EntityManager, p: NewPayment): Promise<string> {
    const sealed = this.payers.seal(p.payer);
    const [row] = (await m.query(
      `INSERT INTO digit_payments (tenant_id, total_due, total_amount_paid, transaction_number, transaction_date, payment_mode,
         instrument_date, instrument_number, instrument_status, ifsc_code, additional_details, paid_by, payer_enc, payer_key_id,
         mobile_hash, payer_id, payment_status, body_hash, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12,$13,$14,$15,$16,$17,$18,$19)
       ON CONFLICT (tenant_id, payment_mode, transaction_number) DO NOTHING RETURNING id`,
      [
        p.tenantId,
        p.totalDue.toString(),
        p.totalAmountPaid.toString(),
        p.transactionNumber,
        p.transactionDate,
        p.paymentMode,
        p.instrumentDate,
        p.instrumentNumber,
        p.instrumentStatus,
        p.ifscCode,
        p.additionalDetails === undefined ? null : JSON.stringify(p.additionalDetails),
        p.paidBy,
        sealed.enc,
        sealed.keyId,
        sealed.mobileHash,
        p.payerId,
        p.paymentStatus,
        p.bodyHash,
        p.createdBy,
      ],
    )) as { id: string }[];
    if (!row) return '';
    for (const d of p.details)
      await m.query(
        `INSERT INTO digit_payment_details (payment_id, tenant_id, bill_id, business_service, consumer_code, total_due, total_amount_paid,
           receipt_number, receipt_date, receipt_type, manual_receipt_number, manual_receipt_date, apportioned, ledger_transfer_id, additional_details)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15::jsonb)`,
        [
          row.id,
          p.tenantId,
          d.billId,
          d.businessService,
          d.consumerCode,
          d.totalDue.toString(),
          d.totalAmountPaid.toString(),
          d.receiptNumber,
          d.receiptDate,
          d.receiptType,
          d.manualReceiptNumber,
          d.manualReceiptDate,
          JSON.stringify(d.apportioned),
          d.ledgerTransferId,
          d.additionalDetails === undefined ? null : JSON.stringify(d.additionalDetails),
        ],
      );
    return row.id;
  }

  async byTransaction(
    m: EntityManager,
    tenantId: string,
    mode: string,
    transactionNumber: string,
  ): Promise<DigitPayment | undefined> {
    const rows = (await m.query(
      `SELECT id FROM digit_payments WHERE tenant_id = $1 AND payment_mode = $2 AND transaction_number = $3`,
      [tenantId, mode, transactionNumber],
    )) as { id: string }[];
    return rows[0] ? (await this.search({ tenantId, ids: [rows[0].id] }, m))[0] : undefined;
  }

  async setStatus(
    m: EntityManager,
    id: string,
    paymentStatus: string,
    instrumentStatus: string,
    additionalDetails?: unknown,
  ): Promise<void> {
    await m.query(
      `UPDATE digit_payments SET payment_status = $2, instrument_status = $3,
              additional_details = COALESCE(additional_details, '{}'::jsonb) || COALESCE($4::jsonb, '{}'::jsonb), updated_at = now()
       WHERE id = $1`,
      [
        id,
        paymentStatus,
        instrumentStatus,
        additionalDetails === undefined ? null : JSON.stringify(additionalDetails),
      ],
    );
  }

  /** The latest payment (by transaction date) of each consumer code that is in an open instrument status. */
  async latestOpenFor(
    m: EntityManager,
    tenantId: string,
    consumerCodes: string[],
  ): Promise<Map<string, string>> {
    const rows = (await m.query(
      `SELECT DISTINCT ON (d.consumer_code) d.consumer_code, p.id FROM digit_payment_details d JOIN digit_payments p ON p.id = d.payment_id
       WHERE d.tenant_id = $1 AND d.consumer_code = ANY($2::text[]) AND p.instrument_status IN ('APPROVED','APPROVAL_PENDING','REMITTED')
       ORDER BY d.consumer_code, p.transaction_date DESC, p.created_at DESC`,
      [tenantId, consumerCodes],
    )) as { consumer_code: string; id: string }[];
    return new Map(rows.map((r) => [r.consumer_code, r.id]));
  }

  async lock(m: EntityManager, ids: string[]): Promise<void> {
    await m.query(`SELECT id FROM digit_payments WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  async count(f: PaymentSearch): Promise<number> {
    const { where, params } = this.where(f);
    const [r] = (await this.ds.query(
      `SELECT count(DISTINCT p.id)::int AS n FROM digit_payments p WHERE ${where}`,
      params,
    )) as { n: number }[];
    return r.n;
  }

  async search(
    f: PaymentSearch,
    m?: EntityManager,
    order = 'p.transaction_date DESC, p.id',
  ): Promise<DigitPayment[]> {
    const { where, params } = this.where(f);
    params.push(f.limit ?? 30, f.offset ?? 0);
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT p.* FROM digit_payments p WHERE ${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    )) as Record<string, unknown>[];
    if (!rows.length) return [];
    const details = (await (m ?? this.ds.manager).query(
      `SELECT * FROM digit_payment_details WHERE payment_id = ANY($1::uuid[]) ORDER BY receipt_number`,
      [rows.map((r) => r.id)],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      tenantId: r.tenant_id as string,
      totalDue: BigInt(r.total_due as string),
      totalAmountPaid: BigInt(r.total_amount_paid as string),
      transactionNumber: r.transaction_number as string,
      transactionDate: Number(r.transaction_date),
      paymentMode: r.payment_mode as string,
      instrumentDate: r.instrument_date === null ? null : Number(r.instrument_date),
      instrumentNumber: r.instrument_number as string | null,
      instrumentStatus: r.instrument_status as string,
      ifscCode: r.ifsc_code as string | null,
      additionalDetails: r.additional_details,
      paidBy: r.paid_by as string,
      payer: this.payers.open(r.payer_enc as Buffer | null, r.payer_key_id as string | null),
      payerId: r.payer_id as string | null,
      paymentStatus: r.payment_status as string,
      bodyHash: r.body_hash as string,
      createdBy: r.created_by as string,
      createdAt: r.created_at as Date,
      updatedAt: r.updated_at as Date,
      details: details
        .filter((d) => d.payment_id === r.id)
        .map((d) => ({
          id: d.id as string,
          billId: d.bill_id as string,
          businessService: d.business_service as string,
          consumerCode: d.consumer_code as string,
          totalDue: BigInt(d.total_due as string),
          totalAmountPaid: BigInt(d.total_amount_paid as string),
          receiptNumber: d.receipt_number as string,
          receiptDate: Number(d.receipt_date),
          receiptType: d.receipt_type as string,
          manualReceiptNumber: d.manual_receipt_number as string | null,
          manualReceiptDate: d.manual_receipt_date === null ? null : Number(d.manual_receipt_date),
          apportioned: d.apportioned as DigitPaymentDetail['apportioned'],
          ledgerTransferId: d.ledger_transfer_id as string | null,
          additionalDetails: d.additional_details,
        })),
    }));
  }

  private where(f: PaymentSearch): { where: string; params: unknown[] } {
    const params: unknown[] = [];
    const add = (v: unknown) => (params.push(v), `$${params.length}`);
    const c: string[] = [
      f.tenantPrefix
        ? `(p.tenant_id = ${add(f.tenantId)} OR p.tenant_id LIKE ${add(`${f.tenantId}.%`)})`
        : `p.tenant_id = ${add(f.tenantId)}`,
    ];
    const detail = (cond: string) =>
      c.push(`EXISTS (SELECT 1 FROM digit_payment_details d WHERE d.payment_id = p.id AND ${cond})`);
    if (f.ids) c.push(`p.id = ANY(${add(f.ids.filter((i) => UUID.test(i)))}::uuid[])`);
    if (f.billIds) detail(`d.bill_id = ANY(${add(f.billIds.filter((i) => UUID.test(i)))}::uuid[])`);
    if (f.receiptNumbers) detail(`d.receipt_number = ANY(${add(f.receiptNumbers)}::text[])`);
    if (f.consumerCodes) detail(`d.consumer_code = ANY(${add(f.consumerCodes)}::text[])`);
    if (f.businessServices) detail(`d.business_service = ANY(${add(f.businessServices)}::text[])`);
    if (f.statuses) c.push(`p.payment_status = ANY(${add(f.statuses)}::text[])`);
    if (f.instrumentStatuses) c.push(`p.instrument_status = ANY(${add(f.instrumentStatuses)}::text[])`);
    if (f.paymentModes) c.push(`p.payment_mode = ANY(${add(f.paymentModes)}::text[])`);
    if (f.payerIds) c.push(`p.payer_id = ANY(${add(f.payerIds)}::text[])`);
    if (f.transactionNumber) c.push(`p.transaction_number = ${add(f.transactionNumber)}`);
    if (f.mobileHash) c.push(`p.mobile_hash = ${add(f.mobileHash)}`);
    if (f.fromDate !== undefined) c.push(`p.transaction_date >= ${add(f.fromDate)}`);
    // toDate is inclusive of its whole day, as DIGIT adds a day.
    if (f.toDate !== undefined) c.push(`p.transaction_date < ${add(f.toDate + 86_400_000)}`);
    return { where: c.join(' AND '), params };
  }
}
