import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { digitError } from '../envelope/digit-exception';
import { DemandsRepository } from '../demands/demands.repository';
import { IdGenerator } from '../ids/id-generator';
import { MastersRepository } from '../masters/masters.repository';
import { PayerData } from '../payer-data';
import { Bill } from './bill';
import { planBill } from './bill-plan';
import { BillsRepository } from './bills.repository';

export interface FetchCriteria {
  tenantId: string;
  businessService?: string;
  consumerCodes?: string[];
  mobileNumber?: string;
  demandIds?: string[];
}

/** Statuses of a bill that may still be paid (and is given again by _fetchbill). */
export const CURRENT = ['ACTIVE', 'PARTIALLY_PAID'];

/**
 * _fetchbill as billing-service does it: a consumer's current bill if it has not expired, else (the old one marked
 * EXPIRED) a new bill from the open demands. Each consumer is locked while this happens, so two fetches at once
 * never make two bills, and a payment in between is seen.
 */
@Injectable()
export class BillsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bills: BillsRepository,
    private readonly demands: DemandsRepository,
    private readonly masters: MastersRepository,
    private readonly ids: IdGenerator,
    private readonly payers: PayerData,
  ) {}

  async fetch(c: FetchCriteria): Promise<Bill[]> {
    const byMobile = c.mobileNumber ? this.payers.mobileHash(c.mobileNumber) : undefined;
    if (!c.demandIds && !byMobile && !(c.businessService && c.consumerCodes?.length))
      throw digitError(
        'BILL_GEN_MANDATORY_FIELDS_MISSING',
        'Give businessService and consumerCode, or mobileNumber, or demandId',
      );
    // Which consumers: given, or those whose demands carry the mobile number or the demand IDs.
    const open = await this.demands.find({
      tenantId: c.tenantId,
      businessService: c.businessService,
      consumerCodes: c.consumerCodes,
      demandIds: c.demandIds,
      mobileHash: byMobile,
      open: true,
    });
    const keys = new Map<string, { businessService: string; consumerCode: string }>();
    for (const code of c.consumerCodes ?? [])
      keys.set(`${c.businessService}|${code}`, { businessService: c.businessService!, consumerCode: code });
    for (const d of open)
      keys.set(`${d.businessService}|${d.consumerCode}`, {
        businessService: d.businessService,
        consumerCode: d.consumerCode,
      });
    const out: Bill[] = [];
    for (const k of keys.values()) {
      const bill = await this.ds.transaction((m) =>
        this.currentOrNew(m, c.tenantId, k.businessService, k.consumerCode),
      );
      if (bill) out.push(bill);
    }
    return out;
  }

  private async currentOrNew(
    m: EntityManager,
    tenantId: string,
    businessService: string,
    consumerCode: string,
  ): Promise<Bill | undefined> {
    await this.bills.lockConsumers(m, tenantId, [{ businessService, consumerCode }]);
    const current = await this.bills.find(
      { tenantId, businessService, consumerCodes: [consumerCode], statuses: CURRENT },
      m,
    );
    const now = Date.now();
    const live = current.filter((b) => b.expiryDate > now);
    const stale = current.filter((b) => b.expiryDate <= now && b.amountPaid === 0n);
    await this.bills.setStatus(
      m,
      stale.map((b) => b.id),
      'EXPIRED',
    );
    if (live.length) return live[0];
    // A part-paid bill past its expiry is closed as paid in part; what is left goes on a new bill.
    await this.bills.setStatus(
      m,
      current.filter((b) => b.expiryDate <= now && b.amountPaid > 0n).map((b) => b.id),
      'PARTIALLY_PAID',
    );
    const bs = await this.masters.businessService(tenantId, businessService, m);
    if (!bs)
      throw digitError('INVALID_BUSINESSSERVICE', `Business service ${businessService} is not defined`);
    const demands = await this.demands.find(
      { tenantId, businessService, consumerCodes: [consumerCode], open: true },
      m,
    );
    const plan = planBill(demands, bs, await this.masters.taxHeads(tenantId, businessService, m), now);
    if (!plan) return undefined;
    const billNumber = await this.ids.generate(m, tenantId, 'billnumberid', businessService);
    const payer = [...demands].reverse().find((d) => d.payer)?.payer ?? null;
    const id = await this.bills.insert(m, {
      tenantId,
      billNumber,
      consumerCode,
      businessService,
      payer,
      partPaymentAllowed: bs.partPaymentAllowed,
      advanceAllowed: bs.advanceAllowed,
      collectionModesNotAllowed: bs.collectionModesNotAllowed,
      plan,
    });
    return (await this.bills.find({ tenantId, billIds: [id] }, m))[0];
  }

  async search(f: {
    tenantId: string;
    billIds?: string[];
    billNumbers?: string[];
    consumerCodes?: string[];
    service?: string;
    mobileNumber?: string;
    status?: string;
  }): Promise<Bill[]> {
    if (!f.billIds && !f.consumerCodes && !f.mobileNumber && !f.billNumbers)
      throw digitError(
        'BILL_SEARCH_MANDATORY_FIELDS_MISSING',
        'Give billId, billNumber, consumerCode (with service) or mobileNumber',
      );
    if (f.consumerCodes && !f.service)
      throw digitError('BILL_SEARCH_MANDATORY_FIELDS_MISSING', 'consumerCode needs service');
    return this.bills.find({
      tenantId: f.tenantId,
      billIds: f.billIds,
      billNumbers: f.billNumbers,
      consumerCodes: f.consumerCodes,
      businessService: f.service,
      mobileHash: f.mobileNumber ? this.payers.mobileHash(f.mobileNumber) : undefined,
      statuses: f.status ? [f.status] : undefined,
    });
  }

  /** _cancelbill: the consumer's current bill is cancelled; one with money on it cannot be. */
  async cancel(
    tenantId: string,
    businessService: string,
    consumerCode: string,
    additionalDetails: unknown,
  ): Promise<Bill[]> {
    return this.ds.transaction(async (m) => {
      await this.bills.lockConsumers(m, tenantId, [{ businessService, consumerCode }]);
      const current = await this.bills.find(
        { tenantId, businessService, consumerCodes: [consumerCode], statuses: CURRENT },
        m,
      );
      if (!current.length) throw digitError('BILL_NOT_FOUND', `No active bill for ${consumerCode}`);
      if (current.some((b) => b.amountPaid > 0n))
        throw digitError('BILL_ALREADY_PAID', `The bill of ${consumerCode} is already (partly) paid`);
      await this.bills.setStatus(
        m,
        current.map((b) => b.id),
        'CANCELLED',
        { cancellation: additionalDetails ?? null },
      );
      return this.bills.find({ tenantId, billIds: current.map((b) => b.id) }, m);
    });
  }
}
