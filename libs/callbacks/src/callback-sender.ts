import { CORRELATION_HEADER } from '@app/platform';
import { MAX_ERROR_CHARS } from './callbacks.constants';
import { AttemptResult, CallbackMethod } from './delivery';
import { SIGNATURE_HEADER, signCallback } from './signature';

export interface SignedCallbackInput {
  deliveryId: string;
  attempt: number;
  eventType: string;
  correlationId: string;
  secret: string;
  body: string;
  now?: Date;
}

/** Every header a callback carries; the body must be sent exactly as passed here, since that is what was signed. */
export function callbackHeaders(c: SignedCallbackInput): Record<string, string> {
  const now = c.now ?? new Date();
  return {
    'Content-Type': 'application/json',
    [CORRELATION_HEADER]: c.correlationId,
    'X-Date': now.toUTCString(),
    'X-Callback-ID': c.deliveryId,
    'X-Callback-Attempt': String(c.attempt),
    'X-Callback-Event': c.eventType,
    [SIGNATURE_HEADER]: signCallback(c.secret, Math.floor(now.getTime() / 1000), c.body),
  };
}

export function truncateError(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS - 1)}…`;
}

/**
 * One HTTP attempt. Only a 2xx counts as delivered; redirects are not followed (a receiver could bounce us to
 * an internal address). Response bodies are never read: they may hold personal data and we keep nothing of them.
 */
export async function sendCallback(
  url: string,
  method: CallbackMethod,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const startedAt = new Date();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const finish = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
    ...r,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  });
  try {
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: abort.signal });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300)
      return finish({ outcome: 'delivered', statusCode: res.status, error: null });
    if (res.status >= 300 && res.status < 400)
      return finish({
        outcome: 'redirect',
        statusCode: res.status,
        error: `Redirect (HTTP ${res.status}) not followed`,
      });
    return finish({ outcome: 'http_error', statusCode: res.status, error: `HTTP ${res.status}` });
  } catch (err) {
    if (abort.signal.aborted)
      return finish({ outcome: 'timeout', statusCode: null, error: `No response within ${timeoutMs} ms` });
    return finish({
      outcome: 'network_error',
      statusCode: null,
      error: truncateError(describeFetchError(err)),
    });
  } finally {
    clearTimeout(timer);
  }
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, TLS errors) is in `cause`. */
function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'Request failed'}: ${cause}` : (e.message ?? 'Request failed');
}
