import { BusinessService, TaxHead } from '../masters/masters.repository';
import { Demand } from '../demands/demand';
import { endOfDayIst } from './bill';

export interface PlannedAccount {
  taxHeadCode: string;
  order: number;
  amount: bigint;
}

export interface PlannedDetail {
  demandId: string;
  fromPeriod: number;
  toPeriod: number;
  amount: bigint;
  expiryDate: number;
  accounts: PlannedAccount[];
}

export interface BillPlan {
  details: PlannedDetail[];
  totalAmount: bigint;
  expiryDate: number;
  minimumAmountPayable: bigint;
}

/**
 * A bill from a consumer's open demands (billing-service prepareBill): one bill detail per demand, oldest period
 * first, with what is left of each tax head (tax minus collected; duplicate heads merged) in the head's order.
 * Undefined when nothing is due. A detail expires at the end of the day of the demand's fixed expiry date if that is
 * still ahead, else of now plus the demand's bill expiry time (or the business service's expiry days).
 */
export function planBill(
  demands: Demand[],
  bs: BusinessService,
  heads: TaxHead[],
  now = Date.now(),
): BillPlan | undefined {
  const orderOf = new Map(heads.map((h) => [h.code, h.order]));
  const details: PlannedDetail[] = [];
  for (const d of [...demands].sort((a, b) => a.taxPeriodFrom - b.taxPeriodFrom)) {
    const left = new Map<string, bigint>();
    for (const x of d.details)
      left.set(x.taxHeadCode, (left.get(x.taxHeadCode) ?? 0n) + x.taxAmount - x.collectionAmount);
    const accounts = [...left.entries()]
      .filter(([, a]) => a !== 0n)
      .map(([code, amount]) => ({ taxHeadCode: code, order: orderOf.get(code) ?? 0, amount }))
      .sort((a, b) => a.order - b.order || (a.taxHeadCode < b.taxHeadCode ? -1 : 1));
    if (!accounts.length) continue;
    const base =
      d.fixedBillExpiryDate && d.fixedBillExpiryDate > now
        ? d.fixedBillExpiryDate
        : now + (d.billExpiryTime ?? bs.billExpiryDays * 86_400_000);
    details.push({
      demandId: d.id,
      fromPeriod: d.taxPeriodFrom,
      toPeriod: d.taxPeriodTo,
      amount: accounts.reduce((s, a) => s + a.amount, 0n),
      expiryDate: endOfDayIst(base),
      accounts,
    });
  }
  const totalAmount = details.reduce((s, d) => s + d.amount, 0n);
  if (!details.length || totalAmount <= 0n) return undefined;
  const demandMin = demands.reduce((s, d) => s + d.minimumAmountPayable, 0n);
  return {
    details,
    totalAmount,
    expiryDate: Math.min(...details.map((d) => d.expiryDate)),
    minimumAmountPayable: demandMin > 0n ? demandMin : bs.minAmountPayable,
  };
}
