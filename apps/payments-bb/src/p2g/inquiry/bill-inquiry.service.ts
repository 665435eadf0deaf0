import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode, RequestContext } from '@app/platform';
import { BillerEndpoint } from '../billers/biller';
import { DigitBiller } from '../digit-link/digit-biller';
import { BillerEndpoints } from '../billers/biller-endpoints';
import { BillerHttp, BillerUnreachable } from '../billers/biller-http';
import { jsonAmount } from '../minor-units';
import { BILL_ID } from '../p2g.constants';
import { PayerFisService } from '../payer-fis/payer-fis.service';
import { BillsRepository, BillState } from '../payments/bills.repository';
import { amountDueOn, BillerBill, billFromAnswer, todayUtc } from './biller-bill';
import { BillInquiriesRepository } from './bill-inquiries.repository';
import { newRequestId } from './request-ids';

export interface InquiryResult {
  requestId: string;
  endpoint: BillerEndpoint;
  bill: BillerBill;
  ours: BillState | undefined;
}

/**
 * Bill inquiry (spec 9.3.3 steps 1-3): authenticate the payer FI, find the biller by the bill's prefix, fetch the
 * bill from the biller within its timeout, remember the answer under the inquiry's request ID (the payment will
 * name it) and answer with what the biller said, corrected by what this server has already taken for the bill.
 */
@Injectable()
export class BillInquiryService {
  constructor(
    private readonly payerFis: PayerFisService,
    private readonly endpoints: BillerEndpoints,
    private readonly http: BillerHttp,
    private readonly inquiries: BillInquiriesRepository,
    private readonly bills: BillsRepository,
    private readonly digit: DigitBiller,
  ) {}

  async inquire(
    ctx: RequestContext,
    billId: string,
    requestId?: string,
    namedPayerFi?: string,
  ): Promise<InquiryResult> {
    const fi = await this.payerFis.caller(ctx.principal, namedPayerFi);
    const tenantId = ctx.principal.tenantId;
    // What this server took for the bill is read while the biller answers: no time added to the inquiry.
    const [{ endpoint, bill }, ours] = await Promise.all([
      this.fetch(tenantId, billId, ctx.correlationId, fi.code),
      this.bills.find(tenantId, billId),
    ]);
    const rid = requestId ?? newRequestId();
    await this.inquiries.record({
      tenantId,
      payerFiId: fi.participantId,
      requestId: rid,
      billerPk: endpoint.biller.id,
      bill,
    });
    return { requestId: rid, endpoint, bill, ours };
  }

  /** The bill as its biller has it now; P2G_UNKNOWN_BILLER, P2G_BILL_NOT_FOUND or P2G_BILLER_UNAVAILABLE else. */
  async fetch(
    tenantId: string,
    billId: string,
    correlationId: string,
    payerFiCode?: string,
  ): Promise<{ endpoint: BillerEndpoint; bill: BillerBill }> {
    if (!BILL_ID.test(billId))
      throw new AppException(
        ErrorCode.P2G_UNKNOWN_BILLER,
        'A bill ID is the biller\'s four-digit prefix and up to 16 letters, digits or "-"',
      );
    const endpoint = await this.endpoints.forBill(tenantId, billId);
    if (endpoint.biller.digit) return { endpoint, bill: await this.digit.bill(endpoint.biller, billId) };
    let answer;
    try {
      answer = await this.http.call(endpoint, {
        method: 'GET',
        path: `/bills/${encodeURIComponent(billId)}`,
        tenantId,
        correlationId,
        payerFiId: payerFiCode,
      });
    } catch (err) {
      if (!(err instanceof BillerUnreachable)) throw err;
      throw new AppException(
        ErrorCode.P2G_BILLER_UNAVAILABLE,
        `Biller ${endpoint.biller.billerId} is not answering (${err.kind === 'timeout' ? `no answer within ${endpoint.biller.timeoutMs} ms` : 'connection failed'})`,
        undefined,
        err.kind === 'timeout' ? 504 : 502,
      );
    }
    return { endpoint, bill: billFromAnswer(endpoint.biller, billId, answer) };
  }
}

/** The bill as the payer FI is shown it: the biller's figures, and what this server has taken already. */
export function billDetailsView(r: Pick<InquiryResult, 'endpoint' | 'bill' | 'ours'>) {
  const { bill, ours, endpoint } = r;
  const paid = ours?.amountPaid ?? 0n;
  const due = amountDueOn(bill, todayUtc());
  const status =
    ours?.status === 'paid' ? 'PAID' : ours?.status === 'partially_paid' ? 'PARTPAID' : bill.billStatus;
  return {
    billerId: endpoint.biller.billerId,
    billerName: endpoint.biller.shortName,
    billStatus: status.slice(0, 10),
    dueDate: bill.dueDate,
    amountonDueDate: jsonAmount(bill.amountOnDueDate),
    amountAfterDueDate: jsonAmount(bill.amountAfterDueDate),
    currency: bill.currency,
    amountPaid: jsonAmount(paid),
    amountPayable: jsonAmount(due > paid ? due - paid : 0n),
    amountExactness: endpoint.biller.rules.amountExactness,
    partialPayment: endpoint.biller.rules.partialPayment,
    minAmount: jsonAmount(endpoint.biller.rules.minAmount),
  };
}
