import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SIGNATURE_TOLERANCE_S } from './callbacks.constants';

export const SIGNATURE_HEADER = 'X-Signature';

function hmacHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

/**
 * The X-Signature header value for a callback: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Signing the timestamp with the body lets receivers reject replays of old callbacks.
 */
export function signCallback(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/**
 * True when `header` carries a v1 signature of `body` made with `secret` at a time within `toleranceSeconds`
 * of now. Several v1 entries are accepted (a sender rotating secrets may send both).
 */
export function verifyCallbackSignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_S,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[a-f0-9]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
}
