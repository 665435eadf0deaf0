import { ReconciliationReport } from '@app/ledger';
import { ReconciliationReportDto } from './dto/reconciliation.dto';
import { money } from './ledger-views';

export function reportView(r: ReconciliationReport): ReconciliationReportDto {
  return {
    generatedAt: r.generatedAt.toISOString(),
    tenantId: r.tenantId,
    currencies: r.currencies.map((c) => ({
      currency: c.currency,
      accounts: c.accounts,
      postedNet: money(c.postedNet, c.currency),
      pendingNet: money(c.pendingNet, c.currency),
      postedNetMinor: c.postedNet.toString(),
      pendingNetMinor: c.pendingNet.toString(),
      balanced: c.balanced,
    })),
    discrepancies: r.discrepancies.map((d) => ({
      currency: d.currency,
      accountId: d.accountId,
      accountCode: d.accountCode,
      field: d.field,
      stored: money(d.stored, d.currency),
      recomputed: money(d.recomputed, d.currency),
      storedMinor: d.stored.toString(),
      recomputedMinor: d.recomputed.toString(),
    })),
    ok: r.ok,
  };
}

const CSV_COLUMNS = [
  'record',
  'currency',
  'accounts',
  'posted_net',
  'pending_net',
  'balanced',
  'account_id',
  'account_code',
  'field',
  'stored',
  'recomputed',
  'stored_minor',
  'recomputed_minor',
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null>>;

/** RFC 4180: quote a cell holding a comma, quote or line break, doubling its quotes. */
const cell = (v: string | number | boolean | null | undefined) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One header, then a `currency` line per currency and a `discrepancy` line per discrepancy; CRLF endings. */
export function reportCsv(view: ReconciliationReportDto): string {
  const rows: CsvRow[] = [
    ...view.currencies.map((c) => ({
      record: 'currency',
      currency: c.currency,
      accounts: c.accounts,
      posted_net: c.postedNet,
      pending_net: c.pendingNet,
      balanced: c.balanced,
    })),
    ...view.discrepancies.map((d) => ({
      record: 'discrepancy',
      currency: d.currency,
      account_id: d.accountId,
      account_code: d.accountCode,
      field: d.field,
      stored: d.stored,
      recomputed: d.recomputed,
      stored_minor: d.storedMinor,
      recomputed_minor: d.recomputedMinor,
    })),
  ];
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
