import { safeEqual } from '@app/platform';

/** Whether an Authorization header carries the metrics bearer token (compared in constant time). */
export function metricsTokenMatches(authorization: string | undefined, token: string): boolean {
  return safeEqual(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '', token);
}
