import {
  generateVoucherNumber,
  hasValidCheckDigit,
  luhnCheckDigit,
  normalizeVoucherNumber,
} from './voucher-number';

describe('voucher numbers', () => {
  it('computes the Luhn check digit of known numbers', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(hasValidCheckDigit('79927398713')).toBe(true);
    expect(hasValidCheckDigit('4111111111111111')).toBe(true);
    expect(hasValidCheckDigit('4111111111111112')).toBe(false);
  });

  it('generates unique 16-digit numbers below 2^53 with a valid check digit', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const n = generateVoucherNumber();
      expect(n).toMatch(/^[1-8][0-9]{15}$/);
      expect(hasValidCheckDigit(n)).toBe(true);
      expect(Number.isSafeInteger(Number(n))).toBe(true);
      seen.add(n);
    }
    expect(seen.size).toBe(20_000);
  });

  it('spreads digits evenly (no position stuck or biased)', () => {
    const counts = Array.from({ length: 15 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < 10_000; i++) {
      const n = generateVoucherNumber();
      for (let p = 1; p < 15; p++) counts[p][n.charCodeAt(p) - 48]++;
    }
    for (let p = 1; p < 15; p++) for (const c of counts[p]) expect(c).toBeGreaterThan(800);
  });

  it('catches every single-digit typo and adjacent swap', () => {
    const n = generateVoucherNumber(20);
    expect(n).toHaveLength(20);
    for (let i = 0; i < n.length; i++)
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[i]) continue;
        expect(hasValidCheckDigit(n.slice(0, i) + d + n.slice(i + 1))).toBe(false);
      }
    for (let i = 0; i + 1 < n.length; i++) {
      if (n[i] === n[i + 1] || (n[i] === '0' && n[i + 1] === '9') || (n[i] === '9' && n[i + 1] === '0'))
        continue;
      expect(hasValidCheckDigit(n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2))).toBe(false);
    }
  });

  it('refuses lengths outside 16-25', () => {
    expect(() => generateVoucherNumber(15)).toThrow(RangeError);
    expect(() => generateVoucherNumber(26)).toThrow(RangeError);
    expect(generateVoucherNumber(25)).toHaveLength(25);
  });

  it('normalizes what callers send', () => {
    expect(normalizeVoucherNumber('1234 5678-9012')).toBe('123456789012');
    expect(normalizeVoucherNumber(368973)).toBe('368973');
    expect(normalizeVoucherNumber(2 ** 53 + 2)).toBeUndefined();
    expect(normalizeVoucherNumber('12a4')).toBeUndefined();
    expect(normalizeVoucherNumber(null)).toBeUndefined();
    expect(normalizeVoucherNumber('1'.repeat(26))).toBeUndefined();
  });
});
