/**
 * The console's only way to the server: same-origin fetch with the session cookie. Every request that changes
 * something carries the CSRF token the session answer gave; a 401 sends the operator to the login page.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly correlationId: string | null = null,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on a 401 to anything but the session routes themselves. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `?a=1&b=x`, leaving out empty values. */
export function qs(query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: Query;
  /** A JSON body (or FormData, sent as multipart). */
  body?: unknown;
  headers?: Record<string, string>;
}

const SESSION_PATH = '/console/api/session';

/** The text of an error answer, whichever of the server's error shapes it has. */
function errorOf(status: number, statusText: string, body: unknown, correlation: string | null): ApiError {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const e = (b.error && typeof b.error === 'object' ? b.error : b) as Record<string, unknown>;
    const message =
      (typeof e.message === 'string' && e.message) ||
      (typeof b.message === 'string' && b.message) ||
      (typeof b.ResponseDescription === 'string' && b.ResponseDescription) ||
      (typeof b.responseDescription === 'string' && b.responseDescription) ||
      `${status} ${statusText}`;
    const code =
      (typeof e.code === 'string' && e.code) ||
      (typeof e.code === 'number' && String(e.code)) ||
      (typeof b.ResponseCode === 'string' && b.ResponseCode) ||
      null;
    const cid = (typeof e.correlationId === 'string' && e.correlationId) || correlation;
    return new ApiError(message, status, code, cid, e.details ?? null);
  }
  if (typeof body === 'string' && body.trim()) return new ApiError(body.trim().slice(0, 500), status, null, correlation);
  return new ApiError(`${status} ${statusText || 'Request failed'}`, status, null, correlation);
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path + qs(opts.query), {
      method: upper,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new ApiError('The server could not be reached. Check the connection and try again.', 0, 'NETWORK_ERROR');
  }

  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    const err = errorOf(res.status, res.statusText, parsed, res.headers.get('x-correlation-id'));
    if (res.status === 401 && !path.startsWith(SESSION_PATH) && unauthorizedHandler) unauthorizedHandler();
    throw err;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', path, { ...opts, body: body ?? {} }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body: body ?? {} }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body: body ?? {} }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A path segment, escaped. */
export const seg = (s: string): string => encodeURIComponent(s);
