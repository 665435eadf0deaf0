import { sumDecimals } from '../../format';
import type { ReportGroup, ReportTotals } from '../../types';

/** Instruction states, grouped the way a finance officer reads them. */
export const FAILED_STATES = ['failed', 'invalid', 'unresolved'];
export const OPEN_STATES = ['received', 'ready', 'queued', 'submitted', 'accepted'];

/** How many instructions of the group are in one of `states`. */
export const count = (g: ReportGroup, states: string[]) => states.reduce((a, s) => a + (g.byState[s]?.count ?? 0), 0);

export const rateOf = (part: number, total: number) => (total > 0 ? part / total : null);

/** Totals per currency: counts add up as numbers, money exactly as decimals (never floats). */
export function totalsByCurrency(groups: ReportGroup[]): ReportTotals[] {
  const by = new Map<string, ReportGroup[]>();
  for (const g of groups) by.set(g.currency, [...(by.get(g.currency) ?? []), g]);
  return [...by].map(([currency, gs]) => ({
    currency,
    instructions: gs.reduce((a, g) => a + g.instructions, 0),
    paid: gs.reduce((a, g) => a + count(g, ['completed']), 0),
    failed: gs.reduce((a, g) => a + count(g, FAILED_STATES), 0),
    open: gs.reduce((a, g) => a + count(g, OPEN_STATES), 0),
    cancelled: gs.reduce((a, g) => a + count(g, ['cancelled']), 0),
    amount: sumDecimals(gs.map((g) => g.amount)) ?? '—',
    paidAmount: sumDecimals(gs.map((g) => g.paidAmount)) ?? '—',
    failedAmount:
      sumDecimals(
        gs.flatMap((g) => FAILED_STATES.map((s) => g.byState[s]?.amount).filter((a): a is string => !!a)),
      ) ?? '—',
  }));
}
