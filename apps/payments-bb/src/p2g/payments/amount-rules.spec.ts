import { PaymentRules } from '../billers/biller';
import { amountRefusal } from './amount-rules';

const rules = (r: Partial<PaymentRules>): PaymentRules => ({
  amountExactness: 'EXACT',
  partialPayment: false,
  minAmount: 0n,
  ...r,
});

describe('amountRefusal', () => {
  it('EXACT takes only the outstanding amount', () => {
    expect(amountRefusal(rules({}), 1000n, 1000n)).toBeNull();
    expect(amountRefusal(rules({}), 1000n, 999n)).toMatch(/no part payments/);
    expect(amountRefusal(rules({}), 1000n, 1001n)).toMatch(/no more than/);
  });

  it('EXACT with part payment takes less down to the minimum, never more', () => {
    const r = rules({ partialPayment: true, minAmount: 300n });
    expect(amountRefusal(r, 1000n, 300n)).toBeNull();
    expect(amountRefusal(r, 1000n, 299n)).toMatch(/at least 300/);
    expect(amountRefusal(r, 1000n, 1001n)).toMatch(/no more than/);
  });

  it('EXACT_UP takes the outstanding amount or more', () => {
    const r = rules({ amountExactness: 'EXACT_UP' });
    expect(amountRefusal(r, 1000n, 5000n)).toBeNull();
    expect(amountRefusal(r, 1000n, 999n)).toMatch(/no part payments/);
  });

  it('EXACT_DOWN takes the outstanding amount or less, above the minimum', () => {
    const r = rules({ amountExactness: 'EXACT_DOWN', minAmount: 100n });
    expect(amountRefusal(r, 1000n, 100n)).toBeNull();
    expect(amountRefusal(r, 1000n, 99n)).toMatch(/at least 100/);
    expect(amountRefusal(r, 1000n, 1001n)).toMatch(/no more than/);
  });

  it('a payment of everything left is allowed even below the minimum', () => {
    expect(amountRefusal(rules({ amountExactness: 'EXACT_DOWN', minAmount: 500n }), 200n, 200n)).toBeNull();
  });

  it('ANY takes any positive amount; nothing takes zero', () => {
    expect(amountRefusal(rules({ amountExactness: 'ANY' }), 1000n, 1n)).toBeNull();
    expect(amountRefusal(rules({ amountExactness: 'ANY' }), 1000n, 99999n)).toBeNull();
    expect(amountRefusal(rules({ amountExactness: 'ANY' }), 1000n, 0n)).toMatch(/positive/);
  });
});
