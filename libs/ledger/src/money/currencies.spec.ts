import { AppException, ErrorCode } from '@app/platform';
import { CURRENCY_EXPONENTS, currencyExponent, isCurrency } from './currencies';

function thrown(fn: () => unknown): AppException {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppException) return e;
    throw e;
  }
  throw new Error('expected an AppException');
}

describe('CURRENCY_EXPONENTS', () => {
  const codes = Object.keys(CURRENCY_EXPONENTS);

  it('holds every active ISO 4217 code with a minor unit (list of 2024-06-25, + XCG, - ANG, BGN)', () => {
    expect(codes).toHaveLength(165);
    const byExponent = (e: number) => codes.filter((c) => CURRENCY_EXPONENTS[c] === e).length;
    expect([0, 2, 3, 4].map(byExponent)).toEqual([17, 139, 7, 2]);
  });

  it('uses only 3 uppercase letters as keys and is frozen', () => {
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(Object.isFrozen(CURRENCY_EXPONENTS)).toBe(true);
  });

  it('only names codes Node’s ICU also knows (typo guard), bar fund codes and VED, which ICU omits', () => {
    const icu = new Set(Intl.supportedValuesOf('currency'));
    const omittedByIcu = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW', 'VED'];
    expect(codes.filter((c) => !icu.has(c) && !omittedByIcu.includes(c))).toEqual([]);
  });

  // prettier-ignore
  it.each([
    ['USD', 2], ['EUR', 2], ['GBP', 2], ['TZS', 2], ['KES', 2], ['INR', 2], ['NGN', 2], ['ZAR', 2],
    ['ETB', 2], ['GHS', 2], ['ZMW', 2], ['MGA', 2], ['IDR', 2], ['HUF', 2], ['SLE', 2], ['ZWG', 2],
    ['VES', 2], ['VED', 2], ['XCG', 2], ['XCD', 2],
    ['JPY', 0], ['KRW', 0], ['ISK', 0], ['VND', 0], ['XOF', 0], ['XAF', 0], ['UGX', 0], ['RWF', 0],
    ['BIF', 0], ['DJF', 0], ['GNF', 0], ['KMF', 0], ['PYG', 0], ['VUV', 0], ['XPF', 0], ['CLP', 0],
    ['UYI', 0],
    ['KWD', 3], ['BHD', 3], ['JOD', 3], ['OMR', 3], ['TND', 3], ['LYD', 3], ['IQD', 3],
    ['CLF', 4], ['UYW', 4],
  ] as const)('%s has %i decimals', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
    expect(isCurrency(code)).toBe(true);
  });
});

describe('currencyExponent', () => {
  // prettier-ignore
  it.each([
    // Metals, SDR, supranational units and testing codes have no minor unit.
    'XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XTS', 'XXX', 'XSU', 'XUA', 'XBA', 'XBB', 'XBC', 'XBD',
    // Withdrawn.
    'ANG', 'BGN', 'HRK', 'SLL', 'ZWL', 'MRO', 'STD', 'VEF', 'BYR', 'LTL', 'EEK',
    'ABC',
  ])('refuses %s as unknown', (code) => {
    const e = thrown(() => currencyExponent(code));
    expect(e.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(e.status).toBe(400);
    expect(e.message).toBe(`Unknown currency '${code}': currency must be an active ISO 4217 code`);
    expect(isCurrency(code)).toBe(false);
  });

  it.each([
    ['usd', "currency 'usd' must be an uppercase ISO 4217 code (did you mean 'USD'?)"],
    ['Eur', "currency 'Eur' must be an uppercase ISO 4217 code (did you mean 'EUR'?)"],
    ['abc', "currency 'abc' must be an uppercase ISO 4217 code"],
    ['US', "currency must be a 3-letter ISO 4217 code, got 'US'"],
    ['USDD', "currency must be a 3-letter ISO 4217 code, got 'USDD'"],
    [' USD', "currency must be a 3-letter ISO 4217 code, got ' USD'"],
    ['', "currency must be a 3-letter ISO 4217 code, got ''"],
    ['840', "currency must be a 3-letter ISO 4217 code, got '840'"],
    ['constructor', "currency must be a 3-letter ISO 4217 code, got 'constructor'"],
    ['__proto__', "currency must be a 3-letter ISO 4217 code, got '__proto__'"],
  ])('refuses %j', (code, message) => {
    const e = thrown(() => currencyExponent(code));
    expect(e.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(e.message).toBe(message);
    expect(e.details).toEqual([message]);
    expect(isCurrency(code)).toBe(false);
  });

  it('names the field it was given and survives non-strings from untyped callers', () => {
    expect(thrown(() => currencyExponent('usd', 'payer.currency')).message).toMatch(/^payer\.currency 'usd'/);
    const untyped = currencyExponent as (code: unknown) => number;
    expect(thrown(() => untyped(840)).message).toBe('currency must be a 3-letter ISO 4217 code');
    expect(thrown(() => untyped(undefined)).code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(isCurrency(null)).toBe(false);
  });

  it('clips long input it echoes back', () => {
    expect(thrown(() => currencyExponent('X'.repeat(1000))).message.length).toBeLessThan(100);
  });
});
