import { Bill } from '../bills/bill';

export interface Apportionment {
  /** Per bill account line: what this payment adjusted. */
  accounts: { accountId: string; detailId: string; demandId: string; taxHeadCode: string; amount: bigint }[];
  details: { detailId: string; amount: bigint }[];
  /** What was paid beyond the bill (advance), 0 when none. */
  advance: bigint;
}

/**
 * Splits a payment over a bill's tax heads. The rule chosen (docs/digit.md; DIGIT's code sorts by amount first while
 * its README says by priority): bill details oldest period first; within one, negative heads (rebates, exemptions)
 * are taken in full first, then positive heads in the tax heads' `order`, each getting what is left of it or of the
 * payment, whichever is less. Anything beyond the bill is an advance (the caller has checked it may be).
 */
export function apportion(bill: Bill, amountPaid: bigint): Apportionment {
  let remaining = amountPaid;
  const accounts: Apportionment['accounts'] = [];
  const details: Apportionment['details'] = [];
  for (const d of [...bill.details].sort((a, b) => a.fromPeriod - b.fromPeriod)) {
    let paidHere = 0n;
    const open = d.accounts
      .map((a) => ({ a, left: a.amount - a.adjustedAmount }))
      .filter((x) => x.left !== 0n);
    for (const { a, left } of open.filter((x) => x.left < 0n)) {
      accounts.push({
        accountId: a.id,
        detailId: d.id,
        demandId: d.demandId,
        taxHeadCode: a.taxHeadCode,
        amount: left,
      });
      remaining -= left;
      paidHere += left;
    }
    for (const { a, left } of open.filter((x) => x.left > 0n).sort((x, y) => x.a.order - y.a.order)) {
      const take = left < remaining ? left : remaining;
      if (take <= 0n) continue;
      accounts.push({
        accountId: a.id,
        detailId: d.id,
        demandId: d.demandId,
        taxHeadCode: a.taxHeadCode,
        amount: take,
      });
      remaining -= take;
      paidHere += take;
    }
    if (paidHere !== 0n) details.push({ detailId: d.id, amount: paidHere });
  }
  return { accounts, details, advance: remaining > 0n ? remaining : 0n };
}
