import { compareDecimal, formatDecimal, parseDecimal } from './amounts';

describe('decimal amounts', () => {
  it.each([
    ['100.00', 10000n, 2],
    ['125.50', 12550n, 2],
    ['1250', 1250n, 0],
    ['0.005', 5n, 3],
    ['0', 0n, 0],
    ['92233720368547758.07', 9223372036854775807n, 2],
    ['123456789012345678901234567890.12345678', 12345678901234567890123456789012345678n, 8],
  ])('parses %s exactly', (text, minor, decimals) => {
    expect(parseDecimal(text)).toEqual({ minor, decimals });
    expect(formatDecimal({ minor, decimals })).toBe(text);
  });

  it.each([
    [100],
    [null],
    [''],
    ['-1'],
    ['+1'],
    ['1e3'],
    ['1,000.00'],
    ['007'],
    ['10.'],
    ['.5'],
    [' 1'],
    ['1.2.3'],
    ['NaN'],
    ['0x10'],
    ['1.123456789'],
    ['9'.repeat(31)],
  ])('refuses %p', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it('compares across numbers of decimals without floats', () => {
    const d = (s: string) => parseDecimal(s)!;
    expect(compareDecimal(d('500.01'), d('500'))).toBe(1);
    expect(compareDecimal(d('500.00'), d('500'))).toBe(0);
    expect(compareDecimal(d('0.1'), d('0.10'))).toBe(0);
    expect(compareDecimal(d('499.999'), d('500.00'))).toBe(-1);
    // 0.1 + 0.2 > 0.3 in floating point; here 0.30 is 0.3.
    expect(compareDecimal({ minor: d('0.10').minor + d('0.20').minor, decimals: 2 }, d('0.3'))).toBe(0);
    expect(compareDecimal(d('92233720368547758.08'), d('92233720368547758.07'))).toBe(1);
  });

  it('formats small amounts with their leading zero', () => {
    expect(formatDecimal({ minor: 5n, decimals: 2 })).toBe('0.05');
    expect(formatDecimal({ minor: 0n, decimals: 3 })).toBe('0.000');
  });
});
