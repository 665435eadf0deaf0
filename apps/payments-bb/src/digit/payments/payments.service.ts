import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { AuditService, digestOf } from '@app/platform';
import { Bill } from '../bills/bill';
import { BillsRepository } from '../bills/bills.repository';
import { DemandsRepository } from '../demands/demands.repository';
import { digitError, DigitErrors } from '../envelope/digit-exception';
import { IdGenerator } from '../ids/id-generator';
import { receiptIdName } from '../ids/id-format';
import { MastersRepository } from '../masters/masters.repository';
import { ensureTenants } from '../tenants';
import { DigitUser } from '../users/digit-user';
import { apportion } from './apportion';
import { checkAgainstBill } from './bill-rules';
import { DigitLedger } from './digit-ledger';
import { DigitPayment } from './payment';
import { ONLINE_MODES, PaymentInput } from './payment-input';
import { DigitPaymentsRepository } from './payments.repository';
import { DigitOutbox } from './digit-outbox';

const actorOf = (u: DigitUser) => ({ id: `digit:${u.uuid}`, kind: 'digit_user' });

/**
 * payments/_create (and _validate, which stops before anything is written). In one transaction, with the
 * consumers of every bill locked: the bills are re-read and checked, each detail gets its receipt number (gapless:
 * the counters roll back with a failed request), the amount is apportioned over the bill's tax heads (advance as a
 * negative head where allowed), the bill's status and paid amount, the demands' collected amounts, the ledger
 * postings and the events for subscribers (outbox) are written. So the same bill paid twice at once: one succeeds,
 * the other finds it paid (BILL_ALREADY_PAID).
 */
@Injectable()
export class DigitPaymentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly payments: DigitPaymentsRepository,
    private readonly bills: BillsRepository,
    private readonly demands: DemandsRepository,
    private readonly masters: MastersRepository,
    private readonly ids: IdGenerator,
    private readonly ledger: DigitLedger,
    private readonly outbox: DigitOutbox,
    private readonly audit: AuditService,
    private readonly callbacks: CallbacksService,
  ) {}

  /** The payment recorded under this transaction number of the mode, if any. */
  findByTransaction(
    tenantId: string,
    mode: string,
    transactionNumber: string,
  ): Promise<DigitPayment | undefined> {
    return this.payments.byTransaction(this.ds.manager, tenantId, mode, transactionNumber);
  }

  async validate(p: PaymentInput): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.checked(m, p);
    });
  }

  async create(
    user: DigitUser,
    p: PaymentInput,
    body: unknown,
  ): Promise<{ payment: DigitPayment; replayed: boolean }> {
    const bodyHash = digestOf(body);
    const currencyOf = new Map<string, string>();
    for (const d of p.details) {
      const bs = await this.masters.businessService(p.tenantId, d.businessService);
      if (!bs)
        throw digitError(
          'INVALID_BILL_BUSINESSSERVICE',
          `Business service ${d.businessService} is not defined`,
        );
      currencyOf.set(d.businessService, bs.currency);
    }
    const serviceBased = new Map<string, boolean>();
    for (const service of currencyOf.keys())
      serviceBased.set(service, await this.ids.has(this.ds.manager, p.tenantId, receiptIdName(service)));
    // A city seen first here is a tenant of the server before its ledger accounts are made.
    await ensureTenants(this.ds.manager, [p.tenantId]);
    const accounts = new Map<string, { debit: string; credit: string }>();
    for (const [service, currency] of currencyOf)
      accounts.set(service, await this.ledger.accounts(p.tenantId, service, p.paymentMode, currency));

    const done = await this.ds.transaction(async (m) => {
      // Locked first, so that a retry arriving with the first request in flight waits and then finds it.
      const pre = await this.bills.find({ tenantId: p.tenantId, billIds: p.details.map((d) => d.billId) }, m);
      await this.bills.lockConsumers(m, p.tenantId, pre);
      if (p.transactionNumber) {
        const seen = await this.payments.byTransaction(m, p.tenantId, p.paymentMode, p.transactionNumber);
        if (seen) return { replay: seen };
      }
      const bills = await this.checked(m, p, pre);
      const now = Date.now();
      const online = ONLINE_MODES.includes(p.paymentMode);
      const transactionNumber =
        p.transactionNumber ?? (await this.ids.generate(m, p.tenantId, 'collection.transactionno'));
      // Everything per consumer first; the tenant-wide hot rows (the receipt counter, the collection accounts) last,
      // so they are held from there to the commit only.
      const splits = [];
      for (const d of p.details) {
        const bill = bills.get(d.billId)!;
        const split = apportion(bill, d.totalAmountPaid);
        await this.applyToBill(m, bill, d.totalAmountPaid, split);
        splits.push({ d, bill, split });
      }
      const details = [];
      for (const { d, bill, split } of splits) {
        const receiptNumber = await this.ids.generate(
          m,
          p.tenantId,
          serviceBased.get(bill.businessService) ? receiptIdName(bill.businessService) : 'receipt.id',
          bill.businessService,
          'receipt.id',
        );
        const { debit, credit } = accounts.get(bill.businessService)!;
        const ledgerTransferId =
          d.totalAmountPaid > 0n
            ? await this.ledger.post(
                m,
                {
                  tenantId: p.tenantId,
                  debit,
                  credit,
                  amount: d.totalAmountPaid,
                  currency: currencyOf.get(bill.businessService)!,
                  code: 'digit.collection',
                  receipt: receiptNumber,
                },
                actorOf(user),
              )
            : null;
        details.push({
          billId: bill.id,
          businessService: bill.businessService,
          consumerCode: bill.consumerCode,
          totalDue: bill.totalAmount - bill.amountPaid,
          totalAmountPaid: d.totalAmountPaid,
          receiptNumber,
          receiptDate: now,
          receiptType: 'BillBased',
          manualReceiptNumber: d.manualReceiptNumber ?? null,
          manualReceiptDate: d.manualReceiptDate ?? null,
          apportioned: split.accounts
            .map((a) => ({ ...a, amount: a.amount.toString() }))
            .concat(
              split.advance > 0n
                ? [
                    {
                      accountId: '',
                      detailId: '',
                      demandId: '',
                      taxHeadCode: 'ADVANCE',
                      amount: (-split.advance).toString(),
                    },
                  ]
                : [],
            ),
          ledgerTransferId,
          additionalDetails: d.additionalDetails,
        });
      }
      const id = await this.payments.insert(m, {
        tenantId: p.tenantId,
        totalDue: details.reduce((s, d) => s + d.totalDue, 0n),
        totalAmountPaid: p.totalAmountPaid,
        transactionNumber,
        // A cheque or DD's transactionDate is its manual receipt date; otherwise it is now (DIGIT overwrites it).
        transactionDate:
          p.transactionDate !== undefined && ['CHEQUE', 'DD'].includes(p.paymentMode)
            ? p.transactionDate
            : now,
        paymentMode: p.paymentMode,
        instrumentDate: ['CASH', ...ONLINE_MODES].includes(p.paymentMode) ? now : (p.instrumentDate ?? null),
        instrumentNumber: p.instrumentNumber ?? null,
        instrumentStatus: online ? 'REMITTED' : 'APPROVED',
        ifscCode: p.ifscCode ?? null,
        additionalDetails: p.additionalDetails,
        paidBy: p.paidBy,
        payer: {
          mobileNumber: p.mobileNumber ?? null,
          name: p.payerName ?? null,
          address: p.payerAddress ?? null,
          emailId: p.payerEmail ?? null,
        },
        payerId: user.type === 'CITIZEN' ? user.uuid : (p.payerId ?? null),
        paymentStatus: online ? 'DEPOSITED' : 'NEW',
        bodyHash,
        createdBy: user.uuid,
        details,
      });
      if (!id)
        throw digitError(
          'DUPLICATE_TRANSACTION_NUMBER',
          `Transaction ${transactionNumber} was recorded meanwhile; retry to get it`,
        );
      const [payment] = await this.payments.search({ tenantId: p.tenantId, ids: [id] }, m);
      await this.audit.record(m, [
        {
          tenantId: p.tenantId,
          actor: actorOf(user),
          action: 'digit.payment.create',
          objectType: 'digit_payment',
          objectId: id,
          details: { receipts: details.map((d) => d.receiptNumber) },
        },
      ]);
      const callbackIds = await this.outbox.publish(m, p.tenantId, 'digit.payment.create', payment);
      return { payment, callbackIds };
    });
    if ('replay' in done && done.replay) {
      if (done.replay.bodyHash !== bodyHash)
        throw digitError(
          'DUPLICATE_TRANSACTION_NUMBER',
          `Transaction ${p.transactionNumber} was already recorded with other details`,
        );
      return { payment: done.replay, replayed: true };
    }
    const d = done as { payment: DigitPayment; callbackIds: string[] };
    await this.callbacks.dispatch(d.callbackIds);
    return { payment: d.payment, replayed: false };
  }

  /** The bills, locked, and every rule checked against them; the rules that fail are all reported. */
  private async checked(m: EntityManager, p: PaymentInput, pre?: Bill[]): Promise<Map<string, Bill>> {
    // Which consumers to lock comes from a first read; the rules are checked on what is read under the lock.
    if (!pre) {
      pre = await this.bills.find({ tenantId: p.tenantId, billIds: p.details.map((d) => d.billId) }, m);
      await this.bills.lockConsumers(m, p.tenantId, pre);
    }
    const locked = await this.bills.find({ tenantId: p.tenantId, billIds: pre.map((b) => b.id) }, m, true);
    const byId = new Map(locked.map((b) => [b.id, b]));
    const errors = new DigitErrors();
    for (const d of p.details) checkAgainstBill(p, d, byId.get(d.billId), errors);
    if (p.totalDue !== undefined) {
      const due = p.details.reduce(
        (s, d) =>
          s + (byId.get(d.billId) ? byId.get(d.billId)!.totalAmount - byId.get(d.billId)!.amountPaid : 0n),
        0n,
      );
      if (due !== p.totalDue) errors.add('INVALID_PAYMENT', 'totalDue does not match the bills');
    }
    errors.throwIfAny();
    return byId;
  }

  /** The bill's lines, totals and status, and its demands' collected amounts, after a payment (or its reversal). */
  async applyToBill(
    m: EntityManager,
    bill: Bill,
    amount: bigint,
    split: ReturnType<typeof apportion>,
    sign: 1n | -1n = 1n,
  ): Promise<void> {
    const paidAfter = bill.amountPaid + sign * amount;
    const status = sign < 0n ? 'CANCELLED' : paidAfter >= bill.totalAmount ? 'PAID' : 'PARTIALLY_PAID';
    await this.bills.applyPaid(
      m,
      bill.id,
      sign * amount,
      split.details.map((d) => ({ detailId: d.detailId, amount: sign * d.amount })),
      split.accounts.map((a) => ({ accountId: a.accountId, amount: sign * a.amount })),
      status,
    );
    // Collected amounts go to the demand details of the same head, smallest tax amount first (as billing-service).
    const demands = await this.demands.find(
      { tenantId: bill.tenantId, demandIds: [...new Set(bill.details.map((d) => d.demandId))] },
      m,
      true,
    );
    const collect: { detailId: string; amount: bigint }[] = [];
    for (const a of split.accounts) {
      const candidates = (demands.find((d) => d.id === a.demandId)?.details ?? []).filter(
        (x) => x.taxHeadCode === a.taxHeadCode,
      );
      // A payment fills each detail up to its tax; a reversal takes back from what each collected, last filled first.
      const ordered = sign > 0n ? candidates : [...candidates].reverse();
      let left = sign * a.amount;
      for (const [i, c] of ordered.entries()) {
        // What this detail can take in the direction of `left` (the last one takes whatever remains).
        const room = sign > 0n ? c.taxAmount - c.collectionAmount : -c.collectionAmount;
        const fit =
          left > 0n
            ? room > 0n
              ? left < room
                ? left
                : room
              : 0n
            : room < 0n
              ? left > room
                ? left
                : room
              : 0n;
        const take = i === ordered.length - 1 ? left : fit;
        if (take === 0n) continue;
        collect.push({ detailId: c.id, amount: take });
        left -= take;
        if (left === 0n) break;
      }
    }
    await this.demands.collect(m, collect);
    if (sign > 0n && split.advance > 0n) {
      const latest = [...bill.details].sort((x, y) => y.fromPeriod - x.fromPeriod)[0];
      const head = (await this.masters.taxHeads(bill.tenantId, bill.businessService, m)).find(
        (h) => h.category === 'ADVANCE_COLLECTION',
      );
      if (!head)
        throw digitError(
          'ADVANCE_TAXHEAD_MISSING',
          `${bill.businessService} has no ADVANCE_COLLECTION tax head for the advance`,
        );
      await this.bills.addAdvanceAccount(m, latest.id, bill.tenantId, head.code, -split.advance);
      await this.demands.insertDetails(m, latest.demandId, bill.tenantId, [
        { taxHeadCode: head.code, taxAmount: -split.advance, collectionAmount: 0n },
      ]);
      await this.demands.refreshCompletion(m, latest.demandId);
    }
  }
}
