import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode, RequestContext } from '@app/platform';
import { Biller } from '../billers/biller';
import { BillerEndpoints } from '../billers/biller-endpoints';
import { DigitBiller } from '../digit-link/digit-biller';
import { BillerHttp, BillerUnreachable } from '../billers/biller-http';
import { BillersRepository } from '../billers/billers.repository';
import {
  amountDueOn,
  billFromAnswer,
  BillerBill,
  todayUtc,
  UNPAYABLE_STATUSES,
} from '../inquiry/biller-bill';
import { BillInquiriesRepository } from '../inquiry/bill-inquiries.repository';
import { BillInquiryService } from '../inquiry/bill-inquiry.service';
import { newRequestId } from '../inquiry/request-ids';
import { jsonAmount, toMinor } from '../minor-units';
import { BILL_ID } from '../p2g.constants';
import { PayerFi } from '../payer-fis/payer-fis.repository';
import { PayerFisService } from '../payer-fis/payer-fis.service';
import { BillPaymentsService } from '../payments/bill-payments.service';
import { BillIdentifierDto, BbpsReceiptRequestDto } from './bbps.dto';

const BILL_KEYS = new Set(['billId', 'partnerBillId', 'billNumber']);

interface BbpsBill {
  billName: string;
  billAmount: number | string;
  partnerBillId: string;
  dueDate: string | null;
  generatedDate: string | null;
  amountExactness: string;
  currency: string;
}

/**
 * The BBPS biller face (seeds/bbps-biller-collection-api.txt), so an aggregator can list a government entity on
 * BBPS: fetchBills finds a customer's bills (by bill ID through the ordinary inquiry, or by customer identifiers
 * through the biller's own /bills/fetchBills), fetchReceipt records the payment and answers with the receipt.
 * The aggregator is a payer FI here: it collects the money and settles with the biller.
 */
@Injectable()
export class BbpsService {
  constructor(
    private readonly payerFis: PayerFisService,
    private readonly billers: BillersRepository,
    private readonly endpoints: BillerEndpoints,
    private readonly http: BillerHttp,
    private readonly inquiry: BillInquiryService,
    private readonly inquiries: BillInquiriesRepository,
    private readonly payments: BillPaymentsService,
    private readonly digit: DigitBiller,
  ) {}

  async fetchBills(
    ctx: RequestContext,
    identifiers: BillIdentifierDto[],
    billerId?: string,
    payerFi?: string,
  ) {
    const fi = await this.payerFis.caller(ctx.principal, payerFi);
    const billKey = identifiers.find((i) => BILL_KEYS.has(i.identifierKey));
    if (billKey) return this.byBillId(ctx, fi, billKey.identifierValue);
    const named = billerId ?? identifiers.find((i) => i.identifierKey === 'billerId')?.identifierValue;
    if (!named)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'Name the biller (X-Biller-Id or a billerId identifier) or give a billId',
      );
    const b = await this.billers.findByBillerId(ctx.principal.tenantId, named);
    if (!b || b.status !== 'active')
      throw new AppException(ErrorCode.P2G_UNKNOWN_BILLER, `No active biller ${named}`);
    return this.byCustomer(
      ctx,
      fi,
      b,
      identifiers.filter((i) => i.identifierKey !== 'billerId'),
    );
  }

  async fetchReceipt(ctx: RequestContext, dto: BbpsReceiptRequestDto, payerFi?: string) {
    const fi = await this.payerFis.caller(ctx.principal, payerFi);
    const tx = dto.paymentDetails.transactionId;
    const r = await this.payments.pay(ctx, fi, {
      channel: 'bbps',
      transactionId: tx,
      requestId: tx.slice(-12),
      billId: dto.partnerBillId,
      amount: toMinor(dto.paymentDetails.amountPaid, 'paymentDetails.amountPaid'),
      body: dto,
    });
    return {
      data: {
        receipt: {
          date: r.payment.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          id: r.payment.receiptNo,
        },
        systemBillId: dto.systemBillId ?? null,
        partnerBillId: r.payment.billId,
      },
      status: 0,
      success: true,
    };
  }

  private async byBillId(ctx: RequestContext, fi: PayerFi, billId: string) {
    try {
      const r = await this.inquiry.inquire(ctx, billId, undefined, fi.code);
      const paid = r.ours?.amountPaid ?? 0n;
      const bill = this.view(r.endpoint.biller, r.bill, paid);
      return this.answer(bill ? [bill] : [], null);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.P2G_BILL_NOT_FOUND)
        return this.answer([], null);
      throw err;
    }
  }

  private async byCustomer(ctx: RequestContext, fi: PayerFi, b: Biller, identifiers: BillIdentifierDto[]) {
    if (b.digit) {
      const bills: BbpsBill[] = [];
      for (const bill of await this.digit.customerBills(b, identifiers)) {
        await this.inquiries.record({
          tenantId: b.tenantId,
          payerFiId: fi.participantId,
          requestId: newRequestId(),
          billerPk: b.id,
          bill,
        });
        const view = this.view(b, bill, 0n);
        if (view) bills.push(view);
      }
      return this.answer(bills, null);
    }
    const e = await this.endpoints.byId(ctx.principal.tenantId, b.id);
    let answer;
    try {
      answer = await this.http.call(e, {
        method: 'POST',
        path: '/bills/fetchBills',
        tenantId: ctx.principal.tenantId,
        correlationId: ctx.correlationId,
        payerFiId: fi.code,
        body: identifiers,
      });
    } catch (err) {
      if (err instanceof BillerUnreachable)
        throw new AppException(
          ErrorCode.P2G_BILLER_UNAVAILABLE,
          `Biller ${b.billerId} is not answering`,
          undefined,
          err.kind === 'timeout' ? 504 : 502,
        );
      throw err;
    }
    if (answer.status === 404) return this.answer([], null);
    if (answer.status < 200 || answer.status >= 300 || !answer.body)
      throw new AppException(
        ErrorCode.P2G_BILLER_UNAVAILABLE,
        `Biller ${b.billerId} answered HTTP ${answer.status}`,
      );
    const raw = Array.isArray(answer.body.bills) ? (answer.body.bills as Record<string, unknown>[]) : [];
    const bills: BbpsBill[] = [];
    for (const item of raw.slice(0, 50)) {
      const billId = typeof item.billId === 'string' ? item.billId : '';
      if (!BILL_ID.test(billId) || !billId.startsWith(b.prefix)) continue;
      const bill = billFromAnswer(b, billId, { status: 200, body: { code: '00', billDetails: item } });
      await this.inquiries.record({
        tenantId: b.tenantId,
        payerFiId: fi.participantId,
        requestId: newRequestId(),
        billerPk: b.id,
        bill,
      });
      const view = this.view(b, bill, 0n, item);
      if (view) bills.push(view);
    }
    const c = answer.body.customer as Record<string, unknown> | null | undefined;
    return this.answer(bills, c && typeof c === 'object' ? c : null);
  }

  private view(
    b: Biller,
    bill: BillerBill,
    paid: bigint,
    raw?: Record<string, unknown>,
  ): BbpsBill | undefined {
    if (UNPAYABLE_STATUSES.has(bill.billStatus)) return undefined;
    const due = amountDueOn(bill, todayUtc()) - paid;
    if (due <= 0n) return undefined;
    return {
      billName: typeof raw?.billName === 'string' ? raw.billName : `${b.shortName} ${bill.billId}`,
      billAmount: jsonAmount(due),
      partnerBillId: bill.billId,
      dueDate: bill.dueDate,
      generatedDate: typeof raw?.generatedDate === 'string' ? raw.generatedDate : null,
      amountExactness:
        b.rules.partialPayment && b.rules.amountExactness === 'EXACT'
          ? 'EXACT_DOWN'
          : b.rules.amountExactness,
      currency: bill.currency,
    };
  }

  private answer(bills: BbpsBill[], customer: Record<string, unknown> | null) {
    const info = customer
      ? { name: customer.name, phoneNumber: customer.phoneNumber, consumerId: customer.consumerId }
      : null;
    return {
      data: {
        billFetchStatus: bills.length ? 'AVAILABLE' : 'NO_OUTSTANDING',
        customerBills: { bills },
        customer: info ? { info, name: info.name } : null,
      },
      status: 0,
      success: true,
    };
  }
}
