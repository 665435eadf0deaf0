/** Display helpers. Money stays a decimal string as the server sent it: no float arithmetic anywhere. */

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** "1234567.50" → "1,234,567.50": grouping only, on the string itself. */
export function groupDigits(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(amount));
  if (!m) return String(amount);
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

export function money(amount: string | null | undefined, currency?: string | null): string {
  const a = groupDigits(amount);
  return currency && a !== '—' ? `${a} ${currency}` : a;
}

/** Decimal string → minor units (BigInt) and its number of decimals; undefined when it is not a plain decimal. */
export function toMinor(amount: string): { minor: bigint; decimals: number } | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return undefined;
  const frac = m[3] ?? '';
  const minor = BigInt(m[2] + frac);
  return { minor: m[1] ? -minor : minor, decimals: frac.length };
}

export function fromMinor(minor: bigint, decimals: number): string {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(decimals + 1, '0');
  const int = decimals ? digits.slice(0, -decimals) : digits;
  const frac = decimals ? `.${digits.slice(-decimals)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** Sum of decimal strings of one currency, exactly (BigInt on minor units); undefined if one is not a decimal. */
export function sumDecimals(values: string[]): string | undefined {
  let decimals = 0;
  const parsed = values.map(toMinor);
  if (parsed.some((p) => p === undefined)) return undefined;
  for (const p of parsed) decimals = Math.max(decimals, p!.decimals);
  let total = 0n;
  for (const p of parsed) total += p!.minor * 10n ** BigInt(decimals - p!.decimals);
  return fromMinor(total, decimals);
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export const humanize = (s: string): string => s.replace(/_/g, ' ');

export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/** A fresh ID for the X-CorrelationID of a batch upload: 1-64 of [A-Za-z0-9._:-]. */
export function newRequestId(prefix = 'console'): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix}-${Date.now().toString(36)}-${hex}`;
}
