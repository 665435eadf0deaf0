import { AppException, ErrorCode } from '@app/platform';
import { Biller } from '../billers/biller';
import { amountDueOn, billFromAnswer } from './biller-bill';

const biller = { billerId: 'BLR000001', currencies: ['KES', 'USD'] } as Biller;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppException).code;
  }
  return 'no error';
};

describe('billFromAnswer', () => {
  const ok = (details: unknown) => ({ status: 200, body: { code: '00', billDetails: details } });

  it("reads an object or the first of an array, defaulting the currency to the biller's first", () => {
    const b = billFromAnswer(
      biller,
      '1000A',
      ok({ billStatus: 'unpaid', dueDate: '2026-12-31T00:00:00Z', amountonDueDate: 1500 }),
    );
    expect(b).toEqual({
      billId: '1000A',
      billStatus: 'UNPAID',
      dueDate: '2026-12-31',
      amountOnDueDate: 1500n,
      amountAfterDueDate: 1500n,
      currency: 'KES',
    });
    expect(
      billFromAnswer(biller, '1000A', ok([{ amountonDueDate: '9', currency: 'USD', dueDate: 1798675200 }])),
    ).toMatchObject({
      amountOnDueDate: 9n,
      currency: 'USD',
      dueDate: '2026-12-31',
    });
  });

  it('404 or another code is no such bill; 5xx and unusable bills mean the biller cannot be relied on', () => {
    expect(codeOf(() => billFromAnswer(biller, '1000A', { status: 404, body: null }))).toBe(
      ErrorCode.P2G_BILL_NOT_FOUND,
    );
    expect(codeOf(() => billFromAnswer(biller, '1000A', { status: 200, body: { code: '01' } }))).toBe(
      ErrorCode.P2G_BILL_NOT_FOUND,
    );
    expect(codeOf(() => billFromAnswer(biller, '1000A', { status: 503, body: null }))).toBe(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
    );
    expect(codeOf(() => billFromAnswer(biller, '1000A', ok({ amountonDueDate: 1.5 })))).toBe(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
    );
    expect(codeOf(() => billFromAnswer(biller, '1000A', ok({ amountonDueDate: 1, currency: 'EUR' })))).toBe(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
    );
    expect(codeOf(() => billFromAnswer(biller, '1000A', { status: 200, body: { code: '00' } }))).toBe(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
    );
  });
});

describe('amountDueOn', () => {
  const bill = { dueDate: '2026-12-10', amountOnDueDate: 100n, amountAfterDueDate: 120n };
  it('the after-due amount applies from the day after the due date', () => {
    expect(amountDueOn(bill, '2026-12-10')).toBe(100n);
    expect(amountDueOn(bill, '2026-12-11')).toBe(120n);
    expect(amountDueOn({ ...bill, dueDate: null }, '2030-01-01')).toBe(100n);
  });
});
