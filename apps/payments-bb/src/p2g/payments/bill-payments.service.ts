import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { actorOf, AppException, AuditService, digestOf, ErrorCode, RequestContext } from '@app/platform';
import { AdviceQueue } from '../advice/advice.queue';
import { DigitBiller } from '../digit-link/digit-biller';
import { BillerEndpoint } from '../billers/biller';
import { BillerEndpoints } from '../billers/biller-endpoints';
import { amountDueOn, BillerBill, todayUtc, UNPAYABLE_STATUSES } from '../inquiry/biller-bill';
import { BillInquiriesRepository } from '../inquiry/bill-inquiries.repository';
import { BillInquiryService } from '../inquiry/bill-inquiry.service';
import { PayerFi } from '../payer-fis/payer-fis.repository';
import { RtpService } from '../rtp/rtp.service';
import { amountRefusal } from './amount-rules';
import { BillPayment, PaymentChannel } from './bill-payment';
import { BillPaymentsRepository } from './bill-payments.repository';
import { BillsRepository } from './bills.repository';
import { P2gLedger } from './p2g-ledger';

/** Where the money of a payment comes from when it is not the payer FI's settlement account (a voucher). */
export interface PaymentFunding {
  debitAccountId: string;
  currency: string;
  /** The amount this funding pays (a voucher's value); undefined: whatever the payment is for. */
  amount?: bigint;
  voucherId: string;
  /** Runs in the payment's transaction once the bill's rules have passed: consume the voucher. */
  consume(m: EntityManager): Promise<void>;
}

export interface PaymentInput {
  channel: PaymentChannel;
  /** The payer FI's reference for the money movement: the idempotency key, per FI. */
  transactionId: string;
  requestId: string;
  billId: string;
  /** The inquiry the payment follows; without it, the FI's latest inquiry of the bill, else a fresh one. */
  inquiryRequestId?: string;
  amount?: bigint;
  currency?: string;
  funding?: PaymentFunding;
  /** What a replay must repeat exactly. */
  body: unknown;
}

export interface PaymentOutcome {
  payment: BillPayment;
  replayed: boolean;
  biller: BillerEndpoint['biller'];
}

/**
 * Records a bill payment a payer FI reports (spec 9.3.3 step 4): once per FI transaction ID, checked against the
 * bill's figures from the inquiry and the biller's amount rules, with the ledger posting, the bill's paid amount and
 * any open request to pay completed in one transaction; then the mark-bill-paid advice goes out by store-and-forward.
 */
@Injectable()
export class BillPaymentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BillPaymentsRepository,
    private readonly bills: BillsRepository,
    private readonly inquiries: BillInquiriesRepository,
    private readonly inquiry: BillInquiryService,
    private readonly endpoints: BillerEndpoints,
    private readonly ledger: P2gLedger,
    private readonly rtp: RtpService,
    private readonly audit: AuditService,
    private readonly callbacks: CallbacksService,
    private readonly advices: AdviceQueue,
    private readonly digit: DigitBiller,
  ) {}

  async pay(ctx: RequestContext, fi: PayerFi, input: PaymentInput): Promise<PaymentOutcome> {
    const tenantId = ctx.principal.tenantId;
    const bodyHash = digestOf(input.body);
    const existing = await this.repo.findByTransaction(tenantId, fi.participantId, input.transactionId);
    if (existing) return this.replay(existing, bodyHash);

    const { endpoint, bill, inquiryId } = await this.billFor(ctx, fi, input);
    const biller = endpoint.biller;
    if (biller.status !== 'active')
      throw new AppException(ErrorCode.P2G_UNKNOWN_BILLER, `Biller ${biller.billerId} is ${biller.status}`);
    const currency = input.currency ?? input.funding?.currency ?? bill.currency;
    if (currency !== bill.currency)
      throw new AppException(
        ErrorCode.P2G_CURRENCY_MISMATCH,
        `Bill ${input.billId} is in ${bill.currency}; it cannot be paid in ${currency}`,
      );
    if (bill.billStatus === 'PAID')
      throw new AppException(
        ErrorCode.P2G_BILL_ALREADY_PAID,
        `Biller ${biller.billerId} says bill ${input.billId} is paid`,
      );
    if (UNPAYABLE_STATUSES.has(bill.billStatus))
      throw new AppException(ErrorCode.P2G_BILL_NOT_PAYABLE, `Bill ${input.billId} is ${bill.billStatus}`);
    const due = amountDueOn(bill, todayUtc());
    const billKey = bill.sourceId ? `${input.billId}@${bill.sourceId}` : input.billId;
    const debit =
      input.funding?.debitAccountId ?? (await this.ledger.payerFiAccount(tenantId, fi.code, currency));
    const credit = await this.ledger.billerAccount(tenantId, biller.billerId, currency);
    const id = randomUUID();

    const done = await this.ds.transaction(async (m) => {
      const state = await this.bills.lock(m, {
        tenantId,
        billId: billKey,
        billerPk: biller.id,
        currency,
        amountDue: due,
      });
      // A replay that was waiting on the bill's lock finds the first request's payment here.
      const first = await this.repo.findByTransaction(tenantId, fi.participantId, input.transactionId, m);
      if (first) return { replay: first };
      if (state.currency !== currency)
        throw new AppException(
          ErrorCode.P2G_CURRENCY_MISMATCH,
          `Bill ${input.billId} is being paid in ${state.currency}`,
        );
      const outstanding = due - state.amountPaid;
      if (outstanding <= 0n)
        throw new AppException(ErrorCode.P2G_BILL_ALREADY_PAID, `Bill ${input.billId} is already paid`);
      const amount = input.amount ?? input.funding?.amount ?? outstanding;
      const refusal = amountRefusal(biller.rules, outstanding, amount);
      if (refusal) throw new AppException(ErrorCode.P2G_AMOUNT_NOT_ALLOWED, refusal);
      if (input.funding) await input.funding.consume(m);
      const payment = await this.repo.insert(m, {
        id,
        tenantId,
        payerFiId: fi.participantId,
        channel: input.channel,
        transactionId: input.transactionId,
        requestId: input.requestId,
        bodyHash,
        inquiryId,
        billerPk: biller.id,
        billId: input.billId,
        billKey,
        amount,
        currency,
        ledgerTransferId: id,
        voucherId: input.funding?.voucherId ?? null,
        adviceStatus: 'pending',
      });
      if (!payment)
        throw new AppException(
          ErrorCode.CONFLICT,
          'The transaction ID was taken by a concurrent request; retry',
        );
      await this.ledger.post(
        m,
        {
          id,
          tenantId,
          debitAccountId: debit,
          creditAccountId: credit,
          amount,
          currency,
          code: 'bill.payment',
          paymentId: id,
        },
        actorOf(ctx.principal),
        ctx.correlationId,
      );
      await this.bills.addPaid(m, tenantId, billKey, amount, due);
      const callbackIds = await this.rtp.completeForBill(m, payment, endpoint);
      await this.record(m, ctx, payment, biller.billerId);
      return { payment, callbackIds, replay: undefined };
    });
    if (done.replay) return this.replay(done.replay, bodyHash);
    if (done.payment.adviceStatus === 'pending') await this.advices.send(done.payment.id, 0, 0);
    await this.callbacks.dispatch(done.callbackIds);
    return { payment: done.payment, replayed: false, biller };
  }

  async findByTransaction(tenantId: string, fi: PayerFi, transactionId: string) {
    return this.repo.findByTransaction(tenantId, fi.participantId, transactionId);
  }

  private async replay(p: BillPayment, bodyHash: string): Promise<PaymentOutcome> {
    if (p.bodyHash !== bodyHash)
      throw new AppException(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Payment reference ${p.transactionId} was already used for a different request`,
      );
    const e = await this.endpoints.byId(p.tenantId, p.billerPk);
    return { payment: p, replayed: true, biller: e.biller };
  }

  private async billFor(
    ctx: RequestContext,
    fi: PayerFi,
    input: PaymentInput,
  ): Promise<{ endpoint: BillerEndpoint; bill: BillerBill; inquiryId: string | null }> {
    const tenantId = ctx.principal.tenantId;
    const found = input.inquiryRequestId
      ? await this.inquiries.find(tenantId, fi.participantId, input.inquiryRequestId)
      : await this.inquiries.latestFor(tenantId, fi.participantId, input.billId);
    if (input.inquiryRequestId && !found)
      throw new AppException(
        ErrorCode.P2G_INQUIRY_NOT_FOUND,
        `No bill inquiry ${input.inquiryRequestId} was made by this payer FI`,
      );
    if (found) {
      if (found.bill.billId !== input.billId)
        throw new AppException(
          ErrorCode.P2G_INQUIRY_NOT_FOUND,
          `Bill inquiry ${input.inquiryRequestId} was for another bill`,
        );
      const endpoint = await this.endpoints.byId(tenantId, found.billerPk);
      // An internal biller's bill is read afresh (no network in between): it names the DIGIT bill being paid.
      const bill = endpoint.biller.digit ? await this.digit.bill(endpoint.biller, input.billId) : found.bill;
      return { endpoint, bill, inquiryId: found.id };
    }
    const fresh = await this.inquiry.fetch(tenantId, input.billId, ctx.correlationId, fi.code);
    return { ...fresh, inquiryId: null };
  }

  private record(m: EntityManager, ctx: RequestContext, p: BillPayment, billerId: string) {
    return this.audit.record(m, [
      {
        tenantId: p.tenantId,
        actor: actorOf(ctx.principal),
        action: 'bill.payment',
        objectType: 'bill_payment',
        objectId: p.id,
        correlationId: ctx.correlationId,
        after: { ...p, amount: p.amount.toString() },
        details: { billId: p.billId, billerId, receiptNo: p.receiptNo, channel: p.channel },
      },
    ]);
  }
}
