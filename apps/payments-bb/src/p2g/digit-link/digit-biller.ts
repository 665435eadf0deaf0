import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '@app/platform';
import { BillsService } from '../../digit/bills/bills.service';
import { DigitException } from '../../digit/envelope/digit-exception';
import { MastersRepository } from '../../digit/masters/masters.repository';
import { PaymentInput } from '../../digit/payments/payment-input';
import { DigitPaymentsService } from '../../digit/payments/payments.service';
import { DigitUser } from '../../digit/users/digit-user';
import { AdviceOutcome } from '../advice/advice-outcome';
import { Biller } from '../billers/biller';
import { BillerBill } from '../inquiry/biller-bill';
import { BillPayment } from '../payments/bill-payment';
import { BILL_ID } from '../p2g.constants';

/** The P2G channel as a DIGIT collector: its receipts are created by this system user. */
const P2G_COLLECTOR: DigitUser = {
  id: 0,
  uuid: '00000000-0000-4000-8000-000000000002',
  userName: 'p2g',
  name: 'GovStack P2G',
  type: 'SYSTEM',
  mobileNumber: null,
  emailId: null,
  tenantId: 'system',
  roles: [],
  active: true,
};

/**
 * A DIGIT tenant's business service as a P2G biller (docs/digit.md, "Biller link"): a bill ID is the biller's prefix
 * followed by a consumer code; the inquiry is DIGIT's _fetchbill, and the mark-bill-paid advice creates the DIGIT
 * payment (mode ONLINE, the payer FI's reference as its transaction number, so a repeated advice finds the first).
 */
@Injectable()
export class DigitBiller {
  constructor(
    private readonly bills: BillsService,
    private readonly masters: MastersRepository,
    private readonly payments: DigitPaymentsService,
  ) {}

  async bill(b: Biller, billId: string): Promise<BillerBill> {
    const link = b.digit!;
    const consumerCode = billId.slice(b.prefix.length);
    const found = await this.bills.fetch({
      tenantId: link.tenantId,
      businessService: link.businessService,
      consumerCodes: [consumerCode],
    });
    const bs = await this.masters.businessService(link.tenantId, link.businessService);
    const current = found[0];
    if (!current || !bs)
      throw new AppException(ErrorCode.P2G_BILL_NOT_FOUND, `Nothing is due for ${consumerCode}`);
    const due = current.totalAmount - current.amountPaid;
    return {
      billId,
      billStatus: current.status === 'PARTIALLY_PAID' ? 'PARTPAID' : 'UNPAID',
      dueDate: new Date(current.expiryDate).toISOString().slice(0, 10),
      amountOnDueDate: due,
      amountAfterDueDate: due,
      currency: bs.currency,
      sourceId: current.id,
    };
  }

  /**
   * BBPS customer lookup on an internal biller: by consumer code (`consumerCode`, `consumerId`, `customerId`) or
   * mobile number (`mobileNumber`, `phoneNumber`). Only consumer codes that fit a bill ID are offered.
   */
  async customerBills(
    b: Biller,
    identifiers: { identifierKey: string; identifierValue: string }[],
  ): Promise<BillerBill[]> {
    const link = b.digit!;
    const value = (keys: string[]) =>
      identifiers.find((i) => keys.includes(i.identifierKey))?.identifierValue;
    const consumer = value(['consumerCode', 'consumerId', 'customerId']);
    const mobile = value(['mobileNumber', 'phoneNumber']);
    if (!consumer && !(mobile && /^[0-9]{10}$/.test(mobile))) return [];
    const found = await this.bills.fetch({
      tenantId: link.tenantId,
      businessService: link.businessService,
      consumerCodes: consumer ? [consumer] : undefined,
      mobileNumber: consumer ? undefined : mobile,
    });
    const bs = await this.masters.businessService(link.tenantId, link.businessService);
    return found
      .filter(
        (x) => x.businessService === link.businessService && BILL_ID.test(`${b.prefix}${x.consumerCode}`),
      )
      .map((x) => ({
        billId: `${b.prefix}${x.consumerCode}`,
        billStatus: x.status === 'PARTIALLY_PAID' ? 'PARTPAID' : 'UNPAID',
        dueDate: new Date(x.expiryDate).toISOString().slice(0, 10),
        amountOnDueDate: x.totalAmount - x.amountPaid,
        amountAfterDueDate: x.totalAmount - x.amountPaid,
        currency: bs?.currency ?? 'INR',
        sourceId: x.id,
      }));
  }

  async advise(p: BillPayment, b: Biller): Promise<AdviceOutcome> {
    const link = b.digit!;
    const consumerCode = p.billId.slice(b.prefix.length);
    const reference = `P2G-${p.transactionId}`;
    // An earlier attempt that created the receipt but did not get to record it: the receipt is the answer.
    if (await this.payments.findByTransaction(link.tenantId, 'ONLINE', reference)) return { kind: 'ack' };
    try {
      const [current] = await this.bills.fetch({
        tenantId: link.tenantId,
        businessService: link.businessService,
        consumerCodes: [consumerCode],
      });
      const input: PaymentInput = {
        tenantId: link.tenantId,
        paymentMode: 'ONLINE',
        totalAmountPaid: p.amount,
        transactionNumber: reference,
        instrumentNumber: p.receiptNo,
        paidBy: 'GovStack P2G',
        details: current
          ? [{ billId: current.id, businessService: link.businessService, totalAmountPaid: p.amount }]
          : [],
      };
      if (!current) {
        // Nothing due any more: the first advice may already have paid it (same reference).
        return { kind: 'rjc', reason: 'Dup' };
      }
      await this.payments.create(P2G_COLLECTOR, input, {
        reference,
        amount: p.amount.toString(),
        bill: p.billId,
      });
      return { kind: 'ack' };
    } catch (err) {
      if (err instanceof DigitException)
        return {
          kind: 'rjc',
          reason: err.errors.some((e) => e.code === 'BILL_ALREADY_PAID') ? 'Dup' : 'Und',
        };
      throw err;
    }
  }
}
