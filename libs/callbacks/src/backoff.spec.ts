import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  const base = 1_000;
  const max = 60_000;

  it('stays between half and all of the nominal exponential delay', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const nominal = base * 2 ** (attempt - 1);
      expect(backoffDelayMs(attempt, base, max, () => 0)).toBe(nominal / 2);
      expect(backoffDelayMs(attempt, base, max, () => 1)).toBe(nominal);
      const mid = backoffDelayMs(attempt, base, max, () => 0.5);
      expect(mid).toBeGreaterThanOrEqual(nominal / 2);
      expect(mid).toBeLessThanOrEqual(nominal);
    }
  });

  it('doubles from one attempt to the next until the ceiling', () => {
    const delays = [1, 2, 3, 4].map((a) => backoffDelayMs(a, base, max, () => 1));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never exceeds the ceiling, however many attempts (no overflow to NaN or Infinity)', () => {
    for (const attempt of [7, 10, 50, 2_000]) {
      const d = backoffDelayMs(attempt, base, max, () => 1);
      expect(d).toBe(max);
      expect(backoffDelayMs(attempt, base, max, () => 0)).toBe(max / 2);
    }
  });

  it('jitters with the default random source', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, base, max)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(8_000);
      expect(d).toBeLessThanOrEqual(16_000);
    }
  });

  it('treats attempt 0 or below like the first attempt and clamps odd random values', () => {
    expect(backoffDelayMs(0, base, max, () => 1)).toBe(1_000);
    expect(backoffDelayMs(1, base, max, () => 7)).toBe(1_000);
    expect(backoffDelayMs(1, base, max, () => -1)).toBe(500);
  });
});
