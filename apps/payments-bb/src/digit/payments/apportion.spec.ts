import { Bill } from '../bills/bill';
import { apportion } from './apportion';

const bill = (details: { from: number; heads: [string, number, bigint][] }[]): Bill =>
  ({
    details: details.map((d, i) => ({
      id: `d${i}`,
      demandId: `dem${i}`,
      fromPeriod: d.from,
      amount: d.heads.reduce((s, h) => s + h[2], 0n),
      accounts: d.heads.map(([code, order, amount]) => ({
        id: `${code}${i}`,
        taxHeadCode: code,
        order,
        amount,
        adjustedAmount: 0n,
      })),
    })),
  }) as unknown as Bill;

describe('apportion', () => {
  it('pays the oldest period first and, within it, heads in their order', () => {
    const b = bill([
      { from: 2, heads: [['TAX', 2, 500n]] },
      {
        from: 1,
        heads: [
          ['TAX', 2, 300n],
          ['PENALTY', 1, 100n],
        ],
      },
    ]);
    const r = apportion(b, 450n);
    expect(r.accounts.map((a) => [a.accountId, a.amount])).toEqual([
      ['PENALTY1', 100n],
      ['TAX1', 300n],
      ['TAX0', 50n],
    ]);
    expect(r.details).toEqual([
      { detailId: 'd1', amount: 400n },
      { detailId: 'd0', amount: 50n },
    ]);
    expect(r.advance).toBe(0n);
  });

  it('takes a rebate in full first, and what is beyond the bill is advance', () => {
    const b = bill([
      {
        from: 1,
        heads: [
          ['TAX', 1, 1000n],
          ['REBATE', 0, -100n],
        ],
      },
    ]);
    const r = apportion(b, 950n);
    expect(r.accounts.map((a) => [a.taxHeadCode, a.amount])).toEqual([
      ['REBATE', -100n],
      ['TAX', 1000n],
    ]);
    expect(r.advance).toBe(50n);
  });
});
