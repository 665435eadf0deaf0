import { digitError, DigitErrors } from './digit-exception';
import { RequestInfoLike } from './response-info';

export type Obj = Record<string, unknown>;

export const TENANT_ID = /^[a-z][a-z0-9]*(\.[a-z0-9]+)?$/;

/** The request body as an object with its RequestInfo (DIGIT requires RequestInfo on every call). */
export function envelope(body: unknown): { body: Obj; requestInfo: RequestInfoLike } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw digitError('INVALID_REQUEST', 'The body must be a JSON object');
  const ri = (body as Obj).RequestInfo;
  if (!ri || typeof ri !== 'object' || Array.isArray(ri))
    throw digitError('INVALID_REQUEST_INFO', 'RequestInfo is required');
  return { body: body as Obj, requestInfo: ri as RequestInfoLike };
}

export function objects(v: unknown, field: string, max = 100): Obj[] {
  if (!Array.isArray(v) || v.length === 0)
    throw digitError('INVALID_REQUEST', `${field} must be a non-empty array`);
  if (v.length > max) throw digitError('INVALID_REQUEST', `${field} takes at most ${max} items`);
  if (!v.every((x) => x && typeof x === 'object' && !Array.isArray(x)))
    throw digitError('INVALID_REQUEST', `${field} must hold objects`);
  return v as Obj[];
}

export function object(v: unknown, field: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw digitError('INVALID_REQUEST', `${field} is required`);
  return v as Obj;
}

/** A string field; adds an error (and answers undefined) when it is missing or malformed. */
export function text(
  o: Obj,
  key: string,
  errors: DigitErrors,
  opts: { required?: boolean; max?: number; pattern?: RegExp; code?: string; label?: string } = {},
): string | undefined {
  const v = o[key];
  const label = opts.label ?? key;
  if (v === undefined || v === null || v === '') {
    if (opts.required) errors.add(opts.code ?? 'INVALID_REQUEST', `${label} is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.add(opts.code ?? 'INVALID_REQUEST', `${label} must be a string`);
    return undefined;
  }
  if (opts.max && v.length > opts.max)
    errors.add(opts.code ?? 'INVALID_REQUEST', `${label} is longer than ${opts.max}`);
  else if (opts.pattern && !opts.pattern.test(v))
    errors.add(opts.code ?? 'INVALID_REQUEST', `${label} is malformed`);
  else return v;
  return undefined;
}

export function bool(o: Obj, key: string, errors: DigitErrors, fallback = false): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  errors.add('INVALID_REQUEST', `${key} must be true or false`);
  return fallback;
}

/** Epoch milliseconds (DIGIT's int64 dates). */
export function epoch(
  o: Obj,
  key: string,
  errors: DigitErrors,
  opts: { required?: boolean; code?: string } = {},
): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.required) errors.add(opts.code ?? 'INVALID_REQUEST', `${key} is required`);
    return undefined;
  }
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    errors.add(opts.code ?? 'INVALID_REQUEST', `${key} must be epoch milliseconds`);
    return undefined;
  }
  return n;
}

/** A query parameter that may be given once, several times or comma-separated. */
export function list(v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const parts = (Array.isArray(v) ? v : [v])
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.length ? parts : undefined;
}

export function tenantParam(v: unknown): string {
  if (typeof v !== 'string' || !TENANT_ID.test(v))
    throw digitError('INVALID_TENANT', 'tenantId is required (e.g. pb.amritsar)');
  return v;
}
