import { AppException, ErrorCode } from '@app/platform';
import fc from 'fast-check';
import { MAX_MINOR_UNITS, assertSameCurrency, formatAmount, parseAmount } from './amount';
import { CURRENCY_EXPONENTS } from './currencies';

function thrown(fn: () => unknown): AppException {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppException) return e;
    throw e;
  }
  throw new Error('expected an AppException');
}

const MAX = MAX_MINOR_UNITS.toString(); // 9223372036854775807

describe('parseAmount', () => {
  // prettier-ignore
  it.each([
    ['100', 'USD', 10000n], ['100.5', 'USD', 10050n], ['100.50', 'USD', 10050n], ['0.01', 'USD', 1n],
    ['1.50', 'USD', 150n], ['1', 'USD', 100n], ['0.1', 'USD', 10n], ['10', 'EUR', 1000n],
    ['100', 'JPY', 100n], ['0.005', 'KWD', 5n], ['1.5', 'KWD', 1500n], ['1.250', 'BHD', 1250n],
    ['0.0001', 'CLF', 1n], ['12.3456', 'UYW', 123456n], ['50000', 'UGX', 50000n],
    [MAX, 'JPY', MAX_MINOR_UNITS], ['92233720368547758.07', 'USD', MAX_MINOR_UNITS],
    ['9223372036854775.807', 'KWD', MAX_MINOR_UNITS], ['922337203685477.5807', 'CLF', MAX_MINOR_UNITS],
    // JSON numbers whose shortest form is exact.
    [100, 'USD', 10000n], [100.5, 'USD', 10050n], [0.01, 'USD', 1n], [19.99, 'USD', 1999n],
    [0.005, 'KWD', 5n], [Number.MAX_SAFE_INTEGER, 'JPY', 9007199254740991n],
    [1234567890123.45, 'USD', 123456789012345n],
  ] as const)('%j %s → %s', (value, currency, expected) => {
    expect(parseAmount(value, currency)).toBe(expected);
  });

  // prettier-ignore
  it.each([
    ['', 'USD', 'amount must not be empty'],
    [' 1', 'USD', 'amount must not contain whitespace'],
    ['1 ', 'USD', 'amount must not contain whitespace'],
    ['1\n', 'USD', 'amount must not contain whitespace'],
    ['1 000', 'USD', 'amount must not contain whitespace'],
    ['-1', 'USD', 'amount must not be negative'],
    ['-0.50', 'USD', 'amount must not be negative'],
    ['-0', 'USD', 'amount must not be negative'],
    ['+1', 'USD', "amount must not start with '+'"],
    ['1e3', 'USD', 'amount must not use exponent notation'],
    ['1.5E2', 'USD', 'amount must not use exponent notation'],
    ['1e-2', 'USD', 'amount must not use exponent notation'],
    ['1,000', 'USD', "amount must use '.' as the decimal point and no thousands separators"],
    ['1,000.00', 'USD', "amount must use '.' as the decimal point and no thousands separators"],
    ['1_000', 'USD', "amount must use '.' as the decimal point and no thousands separators"],
    ["1'000", 'USD', "amount must use '.' as the decimal point and no thousands separators"],
    ['1,5', 'EUR', "amount must use '.' as the decimal point and no thousands separators"],
    ['NaN', 'USD', 'amount must be a finite decimal number'],
    ['Infinity', 'USD', 'amount must be a finite decimal number'],
    ['-Infinity', 'USD', 'amount must be a finite decimal number'],
    ['007', 'USD', 'amount must not have leading zeros'],
    ['00', 'USD', 'amount must not have leading zeros'],
    ['01.50', 'USD', 'amount must not have leading zeros'],
    ['10.', 'USD', "amount must not end with '.'"],
    ['.5', 'USD', "amount must have a digit before '.'"],
    ['abc', 'USD', 'amount must be a decimal number such as "100.50", got \'abc\''],
    ['1.2.3', 'USD', 'amount must be a decimal number such as "100.50", got \'1.2.3\''],
    ['0x10', 'USD', 'amount must be a decimal number such as "100.50", got \'0x10\''],
    ['١٠٠', 'USD', 'amount must be a decimal number such as "100.50", got \'١٠٠\''],
    ['$5', 'USD', 'amount must be a decimal number such as "100.50", got \'$5\''],
    ['.', 'USD', 'amount must be a decimal number such as "100.50", got \'.\''],
    ['1.500', 'USD', 'amount has 3 decimals but USD allows 2'],
    ['100.505', 'USD', 'amount has 3 decimals but USD allows 2'],
    ['1.5', 'JPY', 'amount has 1 decimal but JPY allows 0'],
    ['100.0', 'JPY', 'amount has 1 decimal but JPY allows 0'],
    ['0.0005', 'KWD', 'amount has 4 decimals but KWD allows 3'],
    ['0.00001', 'CLF', 'amount has 5 decimals but CLF allows 4'],
    ['0', 'USD', 'amount must be greater than zero'],
    ['0.00', 'USD', 'amount must be greater than zero'],
    ['9223372036854775808', 'JPY', 'amount exceeds the maximum of 9223372036854775807 JPY'],
    ['92233720368547758.08', 'USD', 'amount exceeds the maximum of 92233720368547758.07 USD'],
    ['100000000000000000000', 'USD', 'amount exceeds the maximum of 92233720368547758.07 USD'],
    // JSON numbers.
    [0.1 + 0.2, 'USD', 'amount 0.30000000000000004 is not an exact decimal; send amounts as decimal strings'],
    [12345678901234.56, 'USD', 'amount 12345678901234.56 is not an exact decimal; send amounts as decimal strings'],
    [100.555, 'USD', 'amount has 3 decimals but USD allows 2'],
    [1.5, 'JPY', 'amount has 1 decimal but JPY allows 0'],
    [-5, 'USD', 'amount must not be negative'],
    [-0.01, 'USD', 'amount must not be negative'],
    [0, 'USD', 'amount must be greater than zero'],
    [NaN, 'USD', 'amount must be a finite decimal number'],
    [Infinity, 'USD', 'amount must be a finite decimal number'],
    [-Infinity, 'USD', 'amount must be a finite decimal number'],
    [2 ** 53, 'JPY', 'amount is too large for a JSON number; send it as a decimal string'],
    [1e21, 'JPY', 'amount is too large for a JSON number; send it as a decimal string'],
    [1e-7, 'CLF', 'amount 1e-7 has more decimals than any currency allows'],
    // Anything else.
    [null, 'USD', 'amount must be a decimal string such as "100.50"'],
    [undefined, 'USD', 'amount must be a decimal string such as "100.50"'],
    [true, 'USD', 'amount must be a decimal string such as "100.50"'],
    [100n, 'USD', 'amount must be a decimal string such as "100.50"'],
    [{ value: '1' }, 'USD', 'amount must be a decimal string such as "100.50"'],
    [['1'], 'USD', 'amount must be a decimal string such as "100.50"'],
  ])('refuses %p in %s: %s', (value, currency, message) => {
    const e = thrown(() => parseAmount(value, currency));
    expect(e.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(e.status).toBe(400);
    expect(e.message).toBe(message);
    expect(e.details).toEqual([message]);
  });

  it('refuses a huge digit string without building a huge BigInt', () => {
    expect(thrown(() => parseAmount('9'.repeat(100_000), 'USD')).message).toBe(
      'amount exceeds the maximum of 92233720368547758.07 USD',
    );
  });

  it('checks the currency first', () => {
    expect(thrown(() => parseAmount('1', 'usd')).message).toMatch(/must be an uppercase ISO 4217 code/);
    expect(thrown(() => parseAmount('1', 'XAU')).message).toMatch(/^Unknown currency 'XAU'/);
  });

  it('names the field in every message', () => {
    expect(thrown(() => parseAmount('1.001', 'USD', 'payees[3].amount')).message).toBe(
      'payees[3].amount has 3 decimals but USD allows 2',
    );
    expect(thrown(() => parseAmount('', 'USD', 'fee')).message).toBe('fee must not be empty');
  });

  it('accepts zero only when asked', () => {
    expect(parseAmount('0', 'USD', 'fee', { allowZero: true })).toBe(0n);
    expect(parseAmount('0.00', 'USD', 'fee', { allowZero: true })).toBe(0n);
    expect(parseAmount(0, 'JPY', 'fee', { allowZero: true })).toBe(0n);
    expect(parseAmount(-0, 'JPY', 'fee', { allowZero: true })).toBe(0n);
    expect(thrown(() => parseAmount('0', 'USD', 'fee', { allowZero: false })).message).toBe(
      'fee must be greater than zero',
    );
    expect(thrown(() => parseAmount('-0', 'USD', 'fee', { allowZero: true })).message).toBe(
      'fee must not be negative',
    );
  });
});

describe('formatAmount', () => {
  // prettier-ignore
  it.each([
    [150n, 'USD', '1.50'], [1n, 'USD', '0.01'], [0n, 'USD', '0.00'], [10000n, 'USD', '100.00'],
    [5n, 'KWD', '0.005'], [1500n, 'KWD', '1.500'], [100n, 'JPY', '100'], [0n, 'JPY', '0'],
    [1n, 'CLF', '0.0001'], [-150n, 'USD', '-1.50'], [-1n, 'USD', '-0.01'], [-5n, 'KWD', '-0.005'],
    [-100n, 'JPY', '-100'], [MAX_MINOR_UNITS, 'USD', '92233720368547758.07'],
    [-(2n ** 63n), 'USD', '-92233720368547758.08'], [10n ** 30n, 'JPY', '1' + '0'.repeat(30)],
  ] as const)('%s %s → %s', (minor, currency, expected) => {
    expect(formatAmount(minor, currency)).toBe(expected);
  });

  it('refuses a non-bigint from untyped callers (pg returns bigint columns as strings)', () => {
    const untyped = formatAmount as (minor: unknown, currency: string) => string;
    expect(() => untyped('150', 'USD')).toThrow(new TypeError('formatAmount expects a bigint, got string'));
    expect(() => untyped(150, 'USD')).toThrow(TypeError);
  });

  it('refuses an unknown currency', () => {
    expect(thrown(() => formatAmount(1n, 'XXX')).code).toBe(ErrorCode.VALIDATION_FAILED);
  });
});

describe('round trips', () => {
  // prettier-ignore
  it.each([
    ['0.01', 'USD'], ['1.50', 'USD'], ['100.00', 'USD'], ['92233720368547758.07', 'USD'],
    ['0.005', 'KWD'], ['1.000', 'BHD'], ['100', 'JPY'], ['1', 'XOF'], [MAX, 'VND'],
    ['0.0001', 'CLF'], ['922337203685477.5807', 'UYW'], ['2500.00', 'TZS'],
  ])('formatAmount(parseAmount(%s)) is the same string in %s', (text, currency) => {
    expect(formatAmount(parseAmount(text, currency), currency)).toBe(text);
  });

  const currencies = Object.keys(CURRENCY_EXPONENTS);

  it('parseAmount(formatAmount(x)) === x for every amount in (0, MAX] and every currency', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS }), fc.constantFrom(...currencies), (x, c) => {
        expect(parseAmount(formatAmount(x, c), c)).toBe(x);
      }),
      { numRuns: 2000 },
    );
  });

  it('small amounts too, where zero padding matters', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 100_000n }), fc.constantFrom(...currencies), (x, c) => {
        expect(parseAmount(formatAmount(x, c), c)).toBe(x);
        expect(formatAmount(-x, c)).toBe(`-${formatAmount(x, c)}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertSameCurrency', () => {
  it('passes for equal codes and names the context otherwise', () => {
    expect(() => assertSameCurrency('USD', 'USD', 'transfer')).not.toThrow();
    const e = thrown(() => assertSameCurrency('USD', 'EUR', 'transfer from acc-1 to acc-2'));
    expect(e.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(e.message).toBe('Currency mismatch in transfer from acc-1 to acc-2: USD vs EUR');
    expect(thrown(() => assertSameCurrency('USD', 'usd', 'transfer')).message).toMatch(/USD vs usd/);
  });
});
