import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode, hasScope, RequestContext } from '@app/platform';
import { AdviceService } from '../advice/advice.service';
import { BillInquiryService, billDetailsView } from '../inquiry/bill-inquiry.service';
import { jsonAmount, toMinor } from '../minor-units';
import { PayerFisService } from '../payer-fis/payer-fis.service';
import { BillPayment } from '../payments/bill-payment';
import { BillPaymentsRepository } from '../payments/bill-payments.repository';
import { BillPaymentsService } from '../payments/bill-payments.service';
import { AdviceStatusDto, BillPaymentRequestDto, VoucherBillPaymentDto } from '../payments/payments.dto';
import { Rtp } from '../rtp/rtp';
import { BillerRtpRequestDto, PayerRtpResponseDto } from '../rtp/rtp.dto';
import { RtpService } from '../rtp/rtp.service';
import { validateBody } from '../validate-body';
import { VoucherBillFunding } from '../vouchers/voucher-bill-funding';

/** What the payer FI is told of a payment: recorded, then ACK or RJC once the biller has answered. */
export function paymentStatusWord(p: BillPayment): 'RECORDED' | 'ACK' | 'RJC' {
  return p.status === 'completed' ? 'ACK' : p.status === 'rejected' ? 'RJC' : 'RECORDED';
}

/** The GovStack P2G face: the services' results in the YAMLs' shapes. */
@Injectable()
export class P2gService {
  constructor(
    private readonly payerFis: PayerFisService,
    private readonly inquiry: BillInquiryService,
    private readonly payments: BillPaymentsService,
    private readonly paymentsRepo: BillPaymentsRepository,
    private readonly advice: AdviceService,
    private readonly rtp: RtpService,
    private readonly vouchers: VoucherBillFunding,
  ) {}

  async inquire(ctx: RequestContext, billId: string, requestId: string | undefined, payerFi?: string) {
    const r = await this.inquiry.inquire(ctx, billId, requestId, payerFi);
    return {
      code: '00',
      responseCode: '00',
      reason: 'Bill found',
      RequestID: r.requestId,
      requestId: r.requestId,
      billId,
      billDetails: [billDetailsView(r)],
    };
  }

  async billTransfer(ctx: RequestContext, body: unknown, payerFi?: string) {
    const p = ctx.principal;
    const fromBiller =
      p.kind === 'biller' || (p.kind === 'sandbox' && !!body && typeof body === 'object' && 'status' in body);
    return fromBiller
      ? this.adviceStatus(ctx, await validateBody(AdviceStatusDto, body))
      : this.pay(ctx, await validateBody(BillPaymentRequestDto, body), payerFi);
  }

  private async pay(ctx: RequestContext, dto: BillPaymentRequestDto, named?: string) {
    if (!hasScope(ctx.principal, 'p2g:pay'))
      throw new AppException(ErrorCode.FORBIDDEN, 'Missing scope: p2g:pay');
    const fi = await this.payerFis.caller(ctx.principal, named);
    const r = await this.payments.pay(ctx, fi, {
      channel: 'govstack',
      transactionId: dto.paymentReferenceID,
      requestId: dto.requestId,
      billId: dto.billId,
      inquiryRequestId: dto.billInquiryRequestId,
      amount: dto.amount === undefined ? undefined : toMinor(dto.amount, 'amount'),
      currency: dto.currency,
      body: dto,
    });
    return this.paymentAnswer(r.payment, r.replayed, r.biller.billerId);
  }

  async payWithVoucher(ctx: RequestContext, dto: VoucherBillPaymentDto, named?: string) {
    const fi = await this.payerFis.caller(ctx.principal, named);
    const existing = await this.payments.findByTransaction(
      ctx.principal.tenantId,
      fi,
      `voucher:${dto.requestId}`,
    );
    const funding = existing
      ? undefined
      : await this.vouchers.fund(ctx.principal.tenantId, fi.participantId, dto.VoucherSecretHash, dto.billId);
    const r = await this.payments.pay(ctx, fi, {
      channel: 'voucher',
      // One voucher payment per request ID of the FI: a retried request finds the first.
      transactionId: `voucher:${dto.requestId}`,
      requestId: dto.requestId,
      billId: dto.billId,
      inquiryRequestId: dto.billInquiryRequestId,
      funding,
      body: { ...dto, billDetails: undefined },
    });
    return {
      RequestID: dto.requestId,
      code: '00',
      reason: r.replayed ? 'Already paid with this voucher' : 'Bill paid with the voucher',
      billId: dto.billId,
      receiptNumber: r.payment.receiptNo,
      amount: jsonAmount(r.payment.amount),
      currency: r.payment.currency,
      paymentStatus: paymentStatusWord(r.payment),
    };
  }

  private async adviceStatus(ctx: RequestContext, dto: AdviceStatusDto) {
    if (!hasScope(ctx.principal, 'p2g:bill'))
      throw new AppException(ErrorCode.FORBIDDEN, 'Missing scope: p2g:bill');
    const biller = await this.rtp.callingBiller(ctx.principal);
    const p = await this.paymentsRepo.findByReceipt(ctx.principal.tenantId, dto.requestId);
    if (!p || p.billerPk !== biller.id || p.billId !== dto.billId)
      throw new AppException(
        ErrorCode.NOT_FOUND,
        `No mark-bill-paid advice ${dto.requestId} for bill ${dto.billId} was sent to this biller`,
      );
    if (dto.paymentReferenceId && dto.paymentReferenceId !== p.transactionId)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `Advice ${dto.requestId} is for another payment reference`,
      );
    const done = await this.advice.finalize(
      p.id,
      dto.status === 'ACK' ? { kind: 'ack' } : { kind: 'rjc', reason: dto.rejectReason ?? 'Und' },
      { id: ctx.principal.participantId ?? `biller:${biller.billerId}`, kind: 'biller' },
    );
    return {
      responseCode: '00',
      reason: `Advice ${done.receiptNo} is ${done.adviceStatus}`,
      requestID: dto.requestId,
    };
  }

  paymentAnswer(p: BillPayment, replayed: boolean, billerId: string) {
    return {
      responseCode: '00',
      reason: replayed ? 'Payment already recorded' : 'Payment recorded; the biller is being told',
      requestID: p.requestId,
      billId: p.billId,
      billerId,
      paymentReferenceID: p.transactionId,
      receiptNumber: p.receiptNo,
      amount: jsonAmount(p.amount),
      currency: p.currency,
      paymentStatus: paymentStatusWord(p),
    };
  }

  async requestToPay(ctx: RequestContext, dto: BillerRtpRequestDto, callbackUrl?: string, billerId?: string) {
    const r = await this.rtp.request(ctx, dto, callbackUrl, billerId);
    return {
      responseCode: '00',
      responseDescription: r.replayed
        ? 'Request to pay already received'
        : 'Request to pay sent to the payer FI',
      requestID: dto.requestId,
      RTPId: r.rtp.rtpNo,
      billId: r.rtp.billId,
      status: r.rtp.status,
    };
  }

  async rtpResponse(ctx: RequestContext, dto: PayerRtpResponseDto, named?: string) {
    const fi = await this.payerFis.caller(ctx.principal, named);
    const rtp = await this.rtp.respond(ctx, fi, dto);
    return {
      responseCode: '00',
      responseDescription: `Answer ${dto.rtpStatus} to request to pay ${rtp.rtpNo} relayed to the biller`,
      requestID: dto.RequestId ?? null,
    };
  }

  async rtpStatus(ctx: RequestContext, id: string, billerId?: string) {
    return rtpStatusView(await this.rtp.status(ctx, id, billerId));
  }
}

export function rtpStatusView(rtp: Rtp) {
  return {
    code: '00',
    responseCode: '00',
    reason: 'OK',
    RTPId: rtp.rtpNo,
    requestID: rtp.requestId,
    billId: rtp.billId,
    status: rtp.status,
    payerResponse: rtp.payerResponse,
    rejectReason: rtp.rejectReason,
    PaymentReferenceID: rtp.paymentReference,
    amount: jsonAmount(rtp.amount),
    currency: rtp.currency,
    lastUpdateDate: Math.floor(rtp.updatedAt.getTime() / 1000),
  };
}
