import { csvCell } from '../../bulk/query/batch-report';

/** CSV of flat rows (header = the first row's keys), with the bulk reports' cell rules (formula-safe text). */
export function toCsv(rows: Record<string, unknown>[], header?: string[]): string {
  const cols = header ?? (rows[0] ? Object.keys(rows[0]) : []);
  const lines = [cols.join(',')];
  for (const r of rows) lines.push(cols.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return csvCell(String(v), true);
  if (v instanceof Date) return csvCell(v.toISOString(), true);
  return csvCell(typeof v === 'object' ? JSON.stringify(v) : String(v));
}
