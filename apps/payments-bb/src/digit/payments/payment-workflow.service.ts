import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { AuditService } from '@app/platform';
import { BillsRepository } from '../bills/bills.repository';
import { DemandsRepository } from '../demands/demands.repository';
import { digitError, DigitErrors } from '../envelope/digit-exception';
import { Obj, objects, text, TENANT_ID } from '../envelope/read';
import { MastersRepository } from '../masters/masters.repository';
import { DigitUser } from '../users/digit-user';
import { Apportionment } from './apportion';
import { DigitLedger } from './digit-ledger';
import { DigitOutbox } from './digit-outbox';
import { DigitPayment } from './payment';
import { DigitPaymentsRepository } from './payments.repository';
import { DigitPaymentsService } from './payments.service';

const ACTIONS = ['CANCEL', 'DISHONOUR', 'REMIT'] as const;
type Action = (typeof ACTIONS)[number];
const OFFLINE = ['CASH', 'CHEQUE', 'DD'];

/**
 * payments/{module}/_workflow (RULES.md section 3), with DIGIT's defects fixed: every transition is checked on the
 * locked row (no status-blind updates, so two cancels cannot both happen); CANCEL only an unremitted cash, cheque or
 * DD payment, and only the latest per consumer code; DISHONOUR only a cheque or DD; both give the collection back to
 * the demands, reverse the ledger posting and cancel the bill, so the next _fetchbill shows the amount due again;
 * REMIT marks the money banked and reverses nothing (DIGIT's REMIT also reverses the collection).
 */
@Injectable()
export class PaymentWorkflowService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly payments: DigitPaymentsRepository,
    private readonly paymentsService: DigitPaymentsService,
    private readonly bills: BillsRepository,
    private readonly demands: DemandsRepository,
    private readonly masters: MastersRepository,
    private readonly ledger: DigitLedger,
    private readonly outbox: DigitOutbox,
    private readonly audit: AuditService,
    private readonly callbacks: CallbacksService,
  ) {}

  read(body: Obj): {
    tenantId: string;
    action: Action;
    items: { paymentId: string; reason?: string; additionalDetails?: unknown }[];
  } {
    const list = objects(body.PaymentWorkflows, 'PaymentWorkflows', 100);
    const errors = new DigitErrors();
    const items = list.map((o, i) => ({
      paymentId:
        text(o, 'paymentId', errors, { required: true, label: `PaymentWorkflows[${i}].paymentId` }) ?? '',
      action: text(o, 'action', errors, { required: true }) ?? '',
      tenantId: text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '',
      reason: text(o, 'reason', errors, { max: 500 }),
      additionalDetails: o.additionalDetails,
    }));
    errors.throwIfAny();
    const actions = new Set(items.map((i) => i.action));
    if (actions.size > 1)
      throw digitError('PAYMENT_WORKFLOW_SINGLE_ACTION_ALLOWED', 'All items must have the same action');
    const action = items[0].action as Action;
    if (!ACTIONS.includes(action))
      throw digitError('INVALID_WORKFLOW_ACTION', `action must be one of ${ACTIONS.join(', ')}`);
    if (new Set(items.map((i) => i.tenantId)).size > 1)
      throw digitError('CROSS_TENANT_OP_NOT_ALLOWED', 'All items must be of one tenant');
    return { tenantId: items[0].tenantId, action, items };
  }

  async apply(user: DigitUser, w: ReturnType<PaymentWorkflowService['read']>): Promise<DigitPayment[]> {
    const actor = { id: `digit:${user.uuid}`, kind: 'digit_user' };
    const done = await this.ds.transaction(async (m) => {
      const ids = w.items.map((i) => i.paymentId);
      await this.payments.lock(m, ids);
      const found = await this.payments.search({ tenantId: w.tenantId, ids, limit: 100 }, m);
      const errors = new DigitErrors();
      for (const id of ids)
        if (!found.some((p) => p.id === id))
          errors.add('RECEIPT_WORKFLOW_INVALID_RECEIPT', `No payment ${id} in ${w.tenantId}`);
      errors.throwIfAny();
      if (w.action !== 'REMIT') {
        const latest = await this.payments.latestOpenFor(m, w.tenantId, [
          ...new Set(found.flatMap((p) => p.details.map((d) => d.consumerCode))),
        ]);
        for (const p of found) {
          const eligible =
            w.action === 'CANCEL'
              ? OFFLINE.includes(p.paymentMode) && p.instrumentStatus === 'APPROVED'
              : ['CHEQUE', 'DD'].includes(p.paymentMode) &&
                ['APPROVED', 'REMITTED'].includes(p.instrumentStatus);
          if (!eligible)
            errors.add(
              'RECEIPT_WORKFLOW_INVALID_RECEIPT',
              `Payment ${p.id} (${p.paymentMode}, ${p.instrumentStatus}) cannot be ${w.action === 'CANCEL' ? 'cancelled' : 'dishonoured'}`,
            );
          else if (p.details.some((d) => latest.get(d.consumerCode) !== p.id))
            errors.add(
              'RECEIPT_WORKFLOW_ACTION_NOT_APPLICABLE',
              `Payment ${p.id} is not the latest payment of its consumer codes`,
            );
        }
      } else
        for (const p of found)
          if (!(OFFLINE.includes(p.paymentMode) && p.instrumentStatus === 'APPROVED'))
            errors.add(
              'RECEIPT_WORKFLOW_INVALID_RECEIPT',
              `Payment ${p.id} (${p.paymentMode}, ${p.instrumentStatus}) cannot be remitted`,
            );
      errors.throwIfAny();
      const callbackIds: string[] = [];
      for (const p of found) {
        const item = w.items.find((i) => i.paymentId === p.id)!;
        const extra = {
          workflow: { action: w.action, reason: item.reason ?? null, by: user.uuid, at: Date.now() },
          ...(typeof item.additionalDetails === 'object' ? (item.additionalDetails as Obj) : {}),
        };
        if (w.action === 'REMIT') await this.payments.setStatus(m, p.id, 'DEPOSITED', 'REMITTED', extra);
        else {
          const to = w.action === 'CANCEL' ? 'CANCELLED' : 'DISHONOURED';
          await this.payments.setStatus(m, p.id, to, to, extra);
          await this.reverse(m, p, actor);
        }
        await this.audit.record(m, [
          {
            tenantId: w.tenantId,
            actor,
            action: `digit.payment.${w.action.toLowerCase()}`,
            objectType: 'digit_payment',
            objectId: p.id,
            details: { reason: item.reason ?? null },
          },
        ]);
      }
      const after = await this.payments.search({ tenantId: w.tenantId, ids, limit: 100 }, m);
      for (const p of after)
        callbackIds.push(
          ...(await this.outbox.publish(m, w.tenantId, `digit.payment.${w.action.toLowerCase()}`, p)),
        );
      return { after, callbackIds };
    });
    await this.callbacks.dispatch(done.callbackIds);
    return done.after;
  }

  /** The collection given back: bill cancelled, demands' collected amounts and the advance undone, ledger reversed. */
  private async reverse(
    m: Parameters<DigitPaymentsService['applyToBill']>[0],
    p: DigitPayment,
    actor: { id: string; kind: string },
  ) {
    for (const d of p.details) {
      const [bill] = await this.bills.find({ tenantId: p.tenantId, billIds: [d.billId] }, m, true);
      await this.bills.lockConsumers(m, p.tenantId, [bill]);
      const lines = d.apportioned.filter((a) => a.taxHeadCode !== 'ADVANCE');
      const advance = d.apportioned
        .filter((a) => a.taxHeadCode === 'ADVANCE')
        .reduce((s, a) => s - BigInt(a.amount), 0n);
      const byDetail = new Map<string, bigint>();
      for (const a of lines) byDetail.set(a.detailId, (byDetail.get(a.detailId) ?? 0n) + BigInt(a.amount));
      const split: Apportionment = {
        accounts: lines.map((a) => ({ ...a, amount: BigInt(a.amount) })),
        details: [...byDetail.entries()].map(([detailId, amount]) => ({ detailId, amount })),
        advance: 0n,
      };
      await this.paymentsService.applyToBill(m, bill, d.totalAmountPaid - advance, split, -1n);
      if (advance > 0n) {
        const latest = [...bill.details].sort((x, y) => y.fromPeriod - x.fromPeriod)[0];
        const head = (await this.masters.taxHeads(bill.tenantId, bill.businessService, m)).find(
          (h) => h.category === 'ADVANCE_COLLECTION',
        );
        if (head)
          await this.demands.insertDetails(m, latest.demandId, bill.tenantId, [
            { taxHeadCode: head.code, taxAmount: advance, collectionAmount: 0n },
          ]);
        await this.demands.refreshCompletion(m, latest.demandId);
      }
      await this.bills.applyPaid(m, bill.id, -advance, [], [], 'CANCELLED');
      // What is due changed: the consumer's current bill (made after this payment) no longer says it.
      await this.bills.expireCurrent(m, bill.tenantId, bill.businessService, bill.consumerCode);
      if (d.ledgerTransferId) {
        const t = await this.ledger.transfer(m, p.tenantId, d.ledgerTransferId);
        await this.ledger.post(
          m,
          {
            tenantId: p.tenantId,
            debit: t.creditAccountId,
            credit: t.debitAccountId,
            amount: t.amount,
            currency: t.currency,
            code: 'digit.collection.reversal',
            receipt: d.receiptNumber,
          },
          actor,
        );
      }
    }
  }
}
