import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BillsRepository } from '../bills/bills.repository';
import { DigitErrors } from '../envelope/digit-exception';
import { epoch, Obj, objects, text, TENANT_ID } from '../envelope/read';
import { MastersRepository } from '../masters/masters.repository';
import { toMinor } from '../money';
import { Payer, PayerData } from '../payer-data';
import { ensureTenants } from '../tenants';
import { DigitUser } from '../users/digit-user';
import { Demand } from './demand';
import { DemandsRepository, NewDemand } from './demands.repository';

/** Heads whose amounts may be negative: what is taken off a bill. */
const NEGATIVE_OK = ['REBATE', 'EXEMPTION', 'ADVANCE_COLLECTION'];

/**
 * Demands (billing-service /demand/_create|_update|_search): what a consumer owes per tax head and period. Every
 * tax head must be one of the business service's, amounts are rupees with at most two decimals (negative only for
 * rebates, exemptions and advance), and a change to a consumer's demands expires its current bill, so the next
 * _fetchbill shows the new figures.
 */
@Injectable()
export class DemandsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly demands: DemandsRepository,
    private readonly masters: MastersRepository,
    private readonly bills: BillsRepository,
    private readonly payers: PayerData,
  ) {}

  tenantsOf(body: Obj): string[] {
    return [...new Set(objects(body.Demands, 'Demands', 500).map((d) => String(d.tenantId ?? '')))];
  }

  async create(body: Obj, user: DigitUser): Promise<Demand[]> {
    const items = objects(body.Demands, 'Demands', 500);
    const errors = new DigitErrors();
    const parsed: NewDemand[] = [];
    for (const [i, o] of items.entries()) {
      const tenantId =
        text(o, 'tenantId', errors, {
          required: true,
          pattern: TENANT_ID,
          label: `Demands[${i}].tenantId`,
        }) ?? '';
      const businessService =
        text(o, 'businessService', errors, { required: true, label: `Demands[${i}].businessService` }) ?? '';
      const consumerCode =
        text(o, 'consumerCode', errors, { required: true, max: 256, label: `Demands[${i}].consumerCode` }) ??
        '';
      const from = epoch(o, 'taxPeriodFrom', errors, { required: true });
      const to = epoch(o, 'taxPeriodTo', errors, { required: true });
      if (from !== undefined && to !== undefined && to < from)
        errors.add('INVALID_TAXPERIOD', `Demands[${i}]: taxPeriodTo is before taxPeriodFrom`);
      const bs =
        tenantId && businessService
          ? await this.masters.businessService(tenantId, businessService)
          : undefined;
      if (tenantId && businessService && !bs)
        errors.add(
          'INVALID_BUSINESSSERVICE',
          `Business service ${businessService} is not defined for ${tenantId}`,
        );
      const heads = bs
        ? new Map((await this.masters.taxHeads(tenantId, businessService)).map((h) => [h.code, h]))
        : new Map();
      const details = Array.isArray(o.demandDetails) ? (o.demandDetails as Obj[]) : [];
      if (!details.length) errors.add('INVALID_DEMAND_DETAILS', `Demands[${i}] has no demandDetails`);
      const lines = details.map((dd, j) => {
        const code =
          text(dd, 'taxHeadMasterCode', errors, {
            required: true,
            label: `Demands[${i}].demandDetails[${j}].taxHeadMasterCode`,
          }) ?? '';
        const head = heads.get(code);
        if (bs && code && !head)
          errors.add('INVALID_TAXHEAD_CODE', `Tax head ${code} is not one of ${businessService}'s`);
        const currency = bs?.currency ?? 'INR';
        const taxAmount = toMinor(dd.taxAmount, `demandDetails[${j}].taxAmount`, currency, { signed: true });
        if (taxAmount < 0n && head && !NEGATIVE_OK.includes(head.category))
          errors.add('INVALID_TAX_AMOUNT', `Tax head ${code} (${head.category}) cannot be negative`);
        const collectionAmount =
          dd.collectionAmount === undefined || dd.collectionAmount === null
            ? 0n
            : toMinor(dd.collectionAmount, `demandDetails[${j}].collectionAmount`, currency, {
                allowZero: true,
                signed: true,
              });
        return { taxHeadCode: code, taxAmount, collectionAmount };
      });
      const payer = o.payer && typeof o.payer === 'object' ? (o.payer as Payer) : null;
      if (payer?.mobileNumber && !/^[0-9]{10}$/.test(String(payer.mobileNumber)))
        errors.add('INVALID_MOBILE_NUMBER', 'payer.mobileNumber must be 10 digits');
      parsed.push({
        tenantId,
        consumerCode,
        consumerType: typeof o.consumerType === 'string' ? o.consumerType : null,
        businessService,
        payer: payer
          ? {
              name: str(payer.name),
              mobileNumber: str(payer.mobileNumber),
              emailId: str(payer.emailId),
              uuid: str(payer.uuid),
              address: str(payer.address),
            }
          : null,
        taxPeriodFrom: from ?? 0,
        taxPeriodTo: to ?? 0,
        billExpiryTime: epoch(o, 'billExpiryTime', errors) ?? null,
        fixedBillExpiryDate: epoch(o, 'fixedBillExpiryDate', errors) ?? null,
        minimumAmountPayable:
          o.minimumAmountPayable === undefined || o.minimumAmountPayable === null
            ? 0n
            : toMinor(o.minimumAmountPayable, 'minimumAmountPayable', bs?.currency ?? 'INR', {
                allowZero: true,
              }),
        additionalDetails: o.additionalDetails,
        details: lines,
        createdBy: user.uuid,
      });
    }
    errors.throwIfAny();
    return this.ds.transaction(async (m) => {
      await ensureTenants(
        m,
        parsed.map((p) => p.tenantId),
      );
      const ids: string[] = [];
      for (const d of parsed) {
        await this.bills.lockConsumers(m, d.tenantId, [d]);
        const overlapping = (
          await this.demands.find(
            {
              tenantId: d.tenantId,
              businessService: d.businessService,
              consumerCodes: [d.consumerCode],
              status: 'ACTIVE',
            },
            m,
          )
        ).filter((x) => x.taxPeriodFrom <= d.taxPeriodTo && d.taxPeriodFrom <= x.taxPeriodTo);
        if (overlapping.length)
          errors.add(
            'DUPLICATE_DEMAND',
            `${d.consumerCode} already has an active ${d.businessService} demand for that period (${overlapping[0].id})`,
          );
        else ids.push(await this.demands.insert(m, d));
        await this.bills.expireCurrent(m, d.tenantId, d.businessService, d.consumerCode);
      }
      errors.throwIfAny();
      return this.demands.find({ tenantId: parsed[0].tenantId, demandIds: ids }, m);
    });
  }

  async update(body: Obj): Promise<Demand[]> {
    const items = objects(body.Demands, 'Demands', 500);
    const errors = new DigitErrors();
    return this.ds.transaction(async (m) => {
      const out: string[] = [];
      let tenant = '';
      for (const [i, o] of items.entries()) {
        const id = text(o, 'id', errors, { required: true, label: `Demands[${i}].id` });
        tenant = text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '';
        if (!id || !tenant) continue;
        const [d] = await this.demands.find({ tenantId: tenant, demandIds: [id] }, m, true);
        if (!d) {
          errors.add('INVALID_DEMAND_ID', `No demand ${id} in ${tenant}`);
          continue;
        }
        await this.bills.lockConsumers(m, tenant, [d]);
        const bs = await this.masters.businessService(tenant, d.businessService, m);
        const heads = new Set((await this.masters.taxHeads(tenant, d.businessService, m)).map((h) => h.code));
        const status = o.status === undefined ? undefined : String(o.status);
        if (status && !['ACTIVE', 'CANCELLED', 'ADJUSTED'].includes(status))
          errors.add('INVALID_DEMAND_STATUS', `Unknown status ${status}`);
        const added = [];
        for (const [j, dd] of (Array.isArray(o.demandDetails) ? (o.demandDetails as Obj[]) : []).entries()) {
          const taxAmount = toMinor(dd.taxAmount, `demandDetails[${j}].taxAmount`, bs?.currency ?? 'INR', {
            signed: true,
          });
          const existing = typeof dd.id === 'string' ? d.details.find((x) => x.id === dd.id) : undefined;
          if (typeof dd.id === 'string' && !existing)
            errors.add('INVALID_DEMAND_DETAIL_ID', `No demand detail ${dd.id}`);
          else if (existing) {
            // Collected amounts move with payments only; a tax amount cannot drop below what was collected.
            if (taxAmount >= 0n && taxAmount < existing.collectionAmount)
              errors.add(
                'INVALID_TAX_AMOUNT',
                `Demand detail ${existing.id}: tax amount below the amount already collected`,
              );
            else await this.demands.updateDetail(m, existing.id, taxAmount);
          } else {
            const code = String(dd.taxHeadMasterCode ?? '');
            if (!heads.has(code))
              errors.add('INVALID_TAXHEAD_CODE', `Tax head ${code} is not one of ${d.businessService}'s`);
            else added.push({ taxHeadCode: code, taxAmount, collectionAmount: 0n });
          }
        }
        await this.demands.insertDetails(m, d.id, tenant, added);
        await this.demands.update(m, d.id, {
          status,
          minimumAmountPayable:
            o.minimumAmountPayable === undefined
              ? undefined
              : toMinor(o.minimumAmountPayable, 'minimumAmountPayable', bs?.currency ?? 'INR', {
                  allowZero: true,
                }),
          billExpiryTime: epoch(o, 'billExpiryTime', errors) ?? undefined,
          additionalDetails: o.additionalDetails,
        });
        await this.demands.refreshCompletion(m, d.id);
        await this.bills.expireCurrent(m, tenant, d.businessService, d.consumerCode);
        out.push(d.id);
      }
      errors.throwIfAny();
      return this.demands.find({ tenantId: tenant, demandIds: out }, m);
    });
  }

  search(q: {
    tenantId: string;
    businessService?: string;
    consumerCodes?: string[];
    demandIds?: string[];
    mobileNumber?: string;
    status?: string;
  }) {
    return this.demands.find({
      tenantId: q.tenantId,
      businessService: q.businessService,
      consumerCodes: q.consumerCodes,
      demandIds: q.demandIds,
      mobileHash: q.mobileNumber ? this.payers.mobileHash(q.mobileNumber) : undefined,
      status: q.status,
    });
  }
}

const str = (v: unknown) =>
  typeof v === 'string' && v ? v : v === undefined || v === null ? null : String(v);
