import { timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header carries the metrics bearer token (compared in constant time). */
export function metricsTokenMatches(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
