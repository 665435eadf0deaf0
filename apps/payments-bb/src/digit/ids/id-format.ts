import { randomInt } from 'node:crypto';

/**
 * DIGIT's ID formats (MDMS common-masters/IdFormat, egov-idgen): `PT/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_EGOV_COMMON]`,
 * `[cy:MM]/[fy:yyyy-yy]/[SEQ_COLL_RCPT_NUM]`, `BILLNO-{module}-[SEQ_egbs_billnumber]`, `{city}[d{10}]`.
 * - `[cy:<pattern>]`: today (UTC) in yyyy, yy, MM, dd;
 * - `[fy:yyyy-yy]`: the Indian financial year (April to March), e.g. 2026-27;
 * - `[CITY.CODE]`, `{city}`: the tenant's city (the part after the dot, upper-cased for CITY.CODE);
 * - `{module}`: the business service code;
 * - `[SEQ_<NAME>]`: the next value of the tenant's counter <NAME>, zero-padded to 6 digits;
 * - `[d{n}]`: n random digits.
 */
export interface FormatContext {
  tenantId: string;
  module?: string;
  now?: Date;
  /** Gives the next value of a named counter (in the caller's transaction, so failed requests leave no gap). */
  next(sequence: string): Promise<bigint>;
}

const TOKEN = /\[([^\]]+)\]|\{(module|city)\}/g;

export function sequencesOf(format: string): string[] {
  return [
    ...format
      .replace(/\[SEQ_([A-Za-z0-9_]*?)_?\[tenant_id\]\]/gi, '[SEQ_$1]')
      .matchAll(/\[SEQ_([A-Za-z0-9_]+)\]/g),
  ].map((m) => m[1].toUpperCase());
}

export async function formatId(raw: string, c: FormatContext): Promise<string> {
  // `[SEQ_WS_BILL_RCPT_[TENANT_ID]]`: DIGIT makes a sequence per tenant that way; every counter here is per tenant.
  const format = raw.replace(/\[SEQ_([A-Za-z0-9_]*?)_?\[tenant_id\]\]/gi, '[SEQ_$1]');
  const now = c.now ?? new Date();
  const city = c.tenantId.includes('.') ? c.tenantId.slice(c.tenantId.indexOf('.') + 1) : c.tenantId;
  const parts: string[] = [];
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    parts.push(format.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
    if (m[2] === 'module') parts.push(c.module ?? '');
    else if (m[2] === 'city') parts.push(city);
    else parts.push(await token(m[1], now, city, c));
  }
  parts.push(format.slice(last));
  return parts.join('');
}

async function token(t: string, now: Date, city: string, c: FormatContext): Promise<string> {
  if (t === 'CITY.CODE' || t === 'CITY') return city.toUpperCase();
  if (t === 'cb.name') return city;
  if (t.startsWith('cy:')) return datePattern(t.slice(3), now);
  if (t.startsWith('fy:')) return financialYear(now, t.slice(3));
  const digits = /^d\{(\d{1,2})\}$/.exec(t);
  if (digits) return Array.from({ length: Number(digits[1]) }, () => String(randomInt(10))).join('');
  const seq = /^SEQ_([A-Za-z0-9_]+)$/.exec(t);
  if (seq) return (await c.next(seq[1].toUpperCase())).toString().padStart(6, '0');
  throw new Error(`Unknown ID format token [${t}]`);
}

function datePattern(p: string, d: Date): string {
  const yyyy = String(d.getUTCFullYear());
  const MM = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return p.replace('yyyy', yyyy).replace('yy', yyyy.slice(2)).replace('MM', MM).replace('dd', dd);
}

function financialYear(d: Date, p: string): string {
  const start = d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
  const end = String(start + 1);
  return p === 'yyyy-yy' ? `${start}-${end.slice(2)}` : p === 'yyyy' ? String(start) : `${start}-${end}`;
}

/** The formats used when a tenant has none of its own (DIGIT's defaults). */
export const DEFAULT_ID_FORMATS: Record<string, string> = {
  billnumberid: 'BILLNO-{module}-[SEQ_EGBS_BILLNUMBER]',
  'receipt.id': '[cy:MM]/[fy:yyyy-yy]/[SEQ_COLL_RCPT_NUM]',
  'collection.transactionno': '{city}[d{10}]',
};

/** The ID name of a business service's receipts (receiptnumber.servicebased=true): `pt.receipt.id`. */
export const receiptIdName = (service: string) => `${service.toLowerCase()}.receipt.id`;
