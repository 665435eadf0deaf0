/**
 * Delay before retrying after failed attempt number `attempt` (1-based): exponential growth from `baseMs`,
 * capped at `maxMs`, with "equal jitter" — half the delay is fixed, half random — so retries from many
 * deliveries that failed together spread out, yet each retry still waits at least half the nominal delay.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2 ** 1024 is Infinity, and Math.min handles that; no overflow to worry about.
  const nominal = Math.min(maxMs, baseMs * 2 ** exponent);
  const half = nominal / 2;
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(half + r * half);
}
