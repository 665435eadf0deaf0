import type { Writable } from 'node:stream';
import { isoStatusOf } from '../domain/instruction-state';
import { InstructionRow, rowAmount } from './batch-views';

/**
 * The CSV report of a batch (the `result_file` of its summary and final callback): one line per instruction,
 * in submission order. RFC 4180 (CRLF line ends, quotes doubled, a cell quoted when it holds a comma, quote or
 * line break), UTF-8 without BOM. Cells a spreadsheet would run as a formula are neutralised.
 */
export const REPORT_COLUMNS = [
  'instruction_id',
  'payee_functional_id',
  'amount',
  'currency',
  'status',
  'iso_status',
  'reason_code',
  'reason',
  'sub_batch_id',
  'payee_fsp',
  'fsp_reference',
  'duplicate_payee',
  'finished_at',
] as const;

/** Rows per keyset page; one page's text is the most the report holds in memory. */
export const REPORT_PAGE_SIZE = 5000;

/** What Excel, LibreOffice and Google Sheets start a formula (or DDE call) with. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell. Text from the client or an FSP (instruction IDs, reasons, references) that starts like a formula
 * gets a leading apostrophe (OWASP CSV injection), so `=HYPERLINK(…)` shows as text. `numeric` cells (the
 * amount, always our own decimal text) are left alone: an apostrophe would turn the number into text.
 */
export function csvCell(value: string | null | undefined, numeric = false): string {
  if (value === null || value === undefined) return '';
  const text = !numeric && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const reportHeader = (): string => `${REPORT_COLUMNS.join(',')}\r\n`;

export function reportLine(r: InstructionRow, batchCurrency: string): string {
  return [
    csvCell(r.instruction_id),
    csvCell(r.payee_functional_id),
    csvCell(rowAmount(r, batchCurrency), true),
    csvCell(r.currency),
    csvCell(r.state),
    csvCell(isoStatusOf(r.state)),
    csvCell(r.reason_code),
    csvCell(r.reason),
    csvCell(r.sub_batch_id),
    csvCell(r.institution_code),
    csvCell(r.fsp_reference),
    csvCell(r.duplicate_payee ? 'true' : 'false'),
    csvCell(r.finished_at ? r.finished_at.toISOString() : null),
  ].join(',');
}

export const reportLines = (rows: InstructionRow[], batchCurrency: string): string =>
  rows.length ? `${rows.map((r) => reportLine(r, batchCurrency)).join('\r\n')}\r\n` : '';

/**
 * The report's text, page by page: the header with the first page (already read, so that a failure to read
 * it still gets a proper error response), then keyset pages after the last seq seen until a short page.
 * Each page is a separate short query: no transaction or cursor holds a connection while a slow client reads.
 */
export async function* reportChunks(
  first: InstructionRow[],
  nextPage: (afterSeq: number) => Promise<InstructionRow[]>,
  batchCurrency: string,
  pageSize = REPORT_PAGE_SIZE,
): AsyncGenerator<string> {
  let page = first;
  yield reportHeader() + reportLines(page, batchCurrency);
  while (page.length >= pageSize) {
    page = await nextPage(page[page.length - 1].seq);
    if (page.length) yield reportLines(page, batchCurrency);
  }
}

/** The client went away before the report was written. */
export class ReportAborted extends Error {
  constructor() {
    super('The client closed the connection before the report was complete');
  }
}

/** Resolves when `out` can take more; rejects when it closes or fails first (a 'drain' would never come). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ReportAborted());
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}

/**
 * Writes the chunks with backpressure: after a write the buffer could not take whole, waits for 'drain'
 * before reading the next page, so memory stays at about one page whatever the batch size and the client's
 * speed. Stops reading pages (the generator is closed) as soon as the client is gone.
 */
export async function writeChunks(out: Writable, chunks: AsyncIterable<string>): Promise<void> {
  for await (const chunk of chunks) {
    if (out.destroyed || out.writableEnded) throw new ReportAborted();
    if (!out.write(chunk)) await drained(out);
  }
  out.end();
}
