import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { backoffDelayMs, CallbacksService } from '@app/callbacks';
import { LedgerService } from '@app/ledger';
import { Actor, AppConfig, AppException, AuditService, ErrorCode } from '@app/platform';
import { BillerEndpoints } from '../billers/biller-endpoints';
import { BillerHttp, BillerUnreachable } from '../billers/biller-http';
import { jsonAmount } from '../minor-units';
import { P2G_SYSTEM } from '../p2g.constants';
import { PayerFisService } from '../payer-fis/payer-fis.service';
import { BillPayment } from '../payments/bill-payment';
import { BillPaymentsRepository } from '../payments/bill-payments.repository';
import { BillsRepository } from '../payments/bills.repository';
import { P2gLedger } from '../payments/p2g-ledger';
import { adviceOutcome } from './advice-outcome';
import { DigitBiller } from '../digit-link/digit-biller';
import { AdviceQueue } from './advice.queue';
import { VoucherReinstatement } from '../vouchers/voucher-reinstatement';

/** Added to the biller's timeout for the lease of one send: a send in flight is never taken by a second worker. */
const LEASE_MARGIN_MS = 5_000;

export type FinalOutcome = { kind: 'ack' } | { kind: 'rjc'; reason: string };

/**
 * Mark-bill-paid advice by store-and-forward (spec 9.3.3 step 5): sent until the biller answers, each send under a
 * lease so that two workers never send one advice at once, with the same request ID and payment reference every
 * time so the biller can recognise a repeat. The biller's final word (in its answer, or posted later) settles the
 * payment once: ACK completes it, RJC reverses its ledger posting and what it paid on the bill. Either way the
 * payer FI is told through a recorded, retried callback.
 */
@Injectable()
export class AdviceService {
  private readonly logger = new Logger(AdviceService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BillPaymentsRepository,
    private readonly bills: BillsRepository,
    private readonly endpoints: BillerEndpoints,
    private readonly http: BillerHttp,
    private readonly payerFis: PayerFisService,
    private readonly ledger: LedgerService,
    private readonly p2gLedger: P2gLedger,
    private readonly audit: AuditService,
    private readonly callbacks: CallbacksService,
    private readonly queue: AdviceQueue,
    private readonly vouchers: VoucherReinstatement,
    private readonly config: AppConfig,
    private readonly digit: DigitBiller,
  ) {}

  /** An operator's "send it again now": the advice is due at once, audited in the same transaction. */
  requeue(tenantId: string, paymentId: string, actor: Actor, correlationId: string): Promise<BillPayment | undefined> {
    return this.ds.transaction(async (m) => {
      const p = await this.repo.requeue(tenantId, paymentId, m);
      if (p)
        await this.audit.record(m, [
          { tenantId, actor, action: 'p2g.advice.resend', objectType: 'bill_payment', objectId: paymentId, correlationId },
        ]);
      return p;
    });
  }

  /** One send of a payment's advice, if it is due; safe to run twice. */
  async send(paymentId: string): Promise<void> {
    const p = await this.repo.lease(paymentId, LEASE_MARGIN_MS);
    if (!p) return;
    const e = await this.endpoints.byId(p.tenantId, p.billerPk);
    const fi = await this.payerFis.byParticipant(p.tenantId, p.payerFiId);
    let outcome;
    let httpStatus: number | null = null;
    if (e.biller.digit) outcome = await this.digit.advise(p, e.biller);
    else
      try {
        const answer = await this.http.call(e, {
          method: 'POST',
          path: '/billTransferRequests',
          tenantId: p.tenantId,
          correlationId: p.id,
          payerFiId: fi?.code,
          body: {
            requestID: p.receiptNo,
            billId: p.billId,
            PaymentReferenceID: p.transactionId,
            amount: jsonAmount(p.amount),
            currency: p.currency,
            paymentDate: p.createdAt.toISOString(),
            receiptNumber: p.receiptNo,
          },
        });
        httpStatus = answer.status;
        outcome = adviceOutcome(answer);
      } catch (err) {
        if (!(err instanceof BillerUnreachable)) throw err;
        outcome = {
          kind: 'retry' as const,
          why: err.kind === 'timeout' ? `no answer within ${e.biller.timeoutMs} ms` : err.message,
        };
      }
    switch (outcome.kind) {
      case 'ack':
      case 'rjc':
        await this.finalize(p.id, outcome, P2G_SYSTEM, httpStatus);
        return;
      case 'accepted':
        await this.ds.transaction((m) =>
          this.repo.settleAdvice(m, p.id, ['pending'], 'accepted', { httpStatus, error: null }),
        );
        return;
      case 'failed':
        await this.ds.transaction((m) =>
          this.repo.settleAdvice(m, p.id, ['pending'], 'failed', { httpStatus, error: outcome.why }),
        );
        this.logger.warn(
          `Advice of payment ${p.id} to biller ${e.biller.billerId} refused (${outcome.why}); an operator must look`,
        );
        return;
      case 'retry': {
        const env = this.config.env;
        const delay = backoffDelayMs(
          p.adviceAttempts,
          env.P2G_ADVICE_BACKOFF_BASE_MS,
          env.P2G_ADVICE_BACKOFF_MAX_MS,
        );
        await this.repo.retryLater(p.id, delay, httpStatus, outcome.why);
        await this.queue.send(p.id, p.adviceAttempts, delay);
        return;
      }
    }
  }

  /**
   * The biller's final word on an advice. Applied once: a second word that agrees is a no-op (true), one that
   * disagrees is refused.
   */
  async finalize(
    paymentId: string,
    outcome: FinalOutcome,
    actor: Actor,
    httpStatus: number | null = null,
  ): Promise<BillPayment> {
    const result = await this.ds.transaction(async (m) => {
      const to = outcome.kind === 'ack' ? 'acknowledged' : 'rejected';
      const p = await this.repo.settleAdvice(m, paymentId, ['pending', 'accepted', 'failed'], to, {
        status: outcome.kind === 'ack' ? 'completed' : 'rejected',
        rejectReason: outcome.kind === 'rjc' ? outcome.reason : null,
        httpStatus,
        error: null,
      });
      if (!p) {
        const now = await this.repo.findById(paymentId, m);
        if (!now) throw new AppException(ErrorCode.NOT_FOUND, `No payment ${paymentId}`);
        if (now.adviceStatus !== to)
          throw new AppException(
            ErrorCode.P2G_STATE_CONFLICT,
            `The advice of ${now.receiptNo} is already ${now.adviceStatus}`,
          );
        return { payment: now, callbackId: null };
      }
      if (outcome.kind === 'rjc') await this.reverse(m, p, actor);
      const callbackId = await this.notifyPayerFi(m, p);
      await this.audit.record(m, [
        {
          tenantId: p.tenantId,
          actor,
          action: `bill.advice.${to}`,
          objectType: 'bill_payment',
          objectId: p.id,
          correlationId: p.id,
          after: { adviceStatus: p.adviceStatus, status: p.status, rejectReason: p.rejectReason },
          details: { billId: p.billId, receiptNo: p.receiptNo, attempts: p.adviceAttempts },
        },
      ]);
      return { payment: p, callbackId };
    });
    if (result.callbackId) await this.callbacks.dispatch([result.callbackId]);
    return result.payment;
  }

  /** A rejected payment gives its money back to where it came from and no longer counts as paid on the bill. */
  private async reverse(m: EntityManager, p: BillPayment, actor: Actor): Promise<void> {
    const [original] = await this.ledger.getTransfers(p.tenantId, [p.ledgerTransferId], m);
    await this.p2gLedger.post(
      m,
      {
        id: reversalId(p.ledgerTransferId),
        tenantId: p.tenantId,
        debitAccountId: original.creditAccountId,
        creditAccountId: original.debitAccountId,
        amount: p.amount,
        currency: p.currency,
        code: 'bill.payment.reversal',
        paymentId: p.id,
      },
      actor,
      p.id,
    );
    await this.bills.addPaid(m, p.tenantId, p.billKey, -p.amount);
    if (p.voucherId) await this.vouchers.reinstate(m, p.tenantId, p.voucherId, actor);
  }

  private async notifyPayerFi(m: EntityManager, p: BillPayment): Promise<string | null> {
    const fi = await this.payerFis.byParticipant(p.tenantId, p.payerFiId);
    if (!fi) return null;
    const id = await this.callbacks.schedule(m, {
      tenantId: p.tenantId,
      participantId: fi.participantId,
      url: `${fi.baseUrl.replace(/\/+$/, '')}/billTransferRequests`,
      eventType: 'p2g.bill.payment.status',
      correlationId: p.id,
      payload: {
        requestId: p.requestId,
        billId: p.billId,
        status: p.status === 'completed' ? 'ACK' : 'RJC',
        ...(p.rejectReason ? { rejectReason: p.rejectReason } : {}),
        paymentReferenceID: p.transactionId,
        receiptNumber: p.receiptNo,
      },
    });
    await this.repo.setNotified(m, p.id, id);
    return id;
  }
}

/** The reversal's transfer ID follows from the payment's, so a repeated reversal is the same transfer. */
export function reversalId(transferId: string): string {
  // Flip the version nibble's neighbour: still a UUID, never equal to the original.
  const c = transferId.charAt(0);
  const flipped = ((parseInt(c, 16) + 8) % 16).toString(16);
  return flipped + transferId.slice(1);
}
