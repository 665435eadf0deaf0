import { formatAmount, isCurrency } from '@app/ledger/money';
import { AppException, ErrorCode, Principal } from '@app/platform';
import { BATCH_STATES, BatchState } from '../domain/batch-state';
import {
  INSTRUCTION_STATES,
  InstructionState,
  IsoStatus,
  isoStatusOf,
  statesForIso,
} from '../domain/instruction-state';
import { Batch, BatchOutcome } from '../pipeline/batch';
import { asNumber, reportPath } from '../pipeline/batch-callback';
import {
  BatchDetailItemDto,
  BatchListItemDto,
  BatchStatusCountsDto,
  BatchSummaryDto,
  InstructionStatusDto,
  SubBatchCountsDto,
} from './batch-status.dto';

/*
 * The pure half of the status and report API: who sees which batches, strict parsing of query
 * parameters, and the JSON views. No database, no Nest: unit-tested in batch-views.spec.ts.
 */

/** A batch with what its views need from its program. */
export interface BatchContext {
  batch: Batch;
  programCode: string;
  payerFspCode: string;
  payerIdentifier: string;
}

/**
 * An instruction as the status API reads it. Deliberately without fa_enc/fa_key_id: the payee's financial
 * address is personal data; it stays sealed and is never selected here.
 */
export interface InstructionRow {
  seq: number;
  instruction_id: string;
  payee_functional_id: string | null;
  /** Minor units as text (pg bigint); null when the amount sent was not valid. */
  amount: string | null;
  currency: string | null;
  modality: string | null;
  institution_code: string | null;
  state: InstructionState;
  reason_code: string | null;
  reason: string | null;
  sub_batch_id: string | null;
  fsp_reference: string | null;
  duplicate_payee: boolean;
  finished_at: Date | null;
}

export interface BatchListRow {
  id: string;
  external_batch_id: string | null;
  source_bb_id: string;
  program_code: string;
  state: BatchState;
  state_reason: string | null;
  instruction_count: number;
  currency: string;
  ready_amount: string;
  created_at: Date;
  completed_at: Date | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Visibility

/** Kinds that see every batch of their tenant; any other kind sees only the batches it submitted. */
const TENANT_WIDE: readonly Principal['kind'][] = ['operator', 'information_mediator', 'sandbox'];

/**
 * Which batches the principal may see within its tenant: all of them (`sourceBbId: null`), those of one
 * source BB, or none (`undefined`: a restricted principal without a participant ID). A batch outside this
 * answers 404, never 403, so that its existence does not leak.
 */
export function visibilityOf(p: Principal): { sourceBbId: string | null } | undefined {
  if (TENANT_WIDE.includes(p.kind)) return { sourceBbId: null };
  return p.participantId ? { sourceBbId: p.participantId } : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

// ---------------------------------------------------------------------------------------------------------------
// Query parameters

/** Echo at most a short prefix of caller input in messages. */
export const clip = (text: string): string => (text.length > 32 ? `${text.slice(0, 32)}…` : text);

const bad = (message: string) => new AppException(ErrorCode.VALIDATION_FAILED, message, [message]);

/**
 * A non-negative decimal integer within [min, max]; absent or empty gives the fallback. Strict: `1e3`,
 * `0x10`, `+5`, ` 5` or `1.0` are refused rather than guessed at.
 */
export function parseIntParam(
  raw: string | undefined,
  name: string,
  o: { min: number; max: number; fallback: number },
): number {
  if (raw === undefined || raw === '') return o.fallback;
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < o.min || n > o.max)
    throw bad(`${name} must be an integer from ${o.min} to ${o.max}`);
  return n;
}

export const MAX_PAGE_SIZE = 10_000;
export const DEFAULT_PAGE_SIZE = 100;
/**
 * pageNo × pageSize is an OFFSET over the (batch_id, seq) primary key. PostgreSQL walks the skipped index
 * entries, so a page costs O(offset): about 1 ms per 10,000 rows skipped, i.e. ~0.1 s at the end of a
 * 1,000,000-instruction batch. Pages past the batch's instruction count are answered without a query, so
 * the walk is bounded by the batch size (BULK_MAX_INSTRUCTIONS). The CSV report uses keyset pages instead.
 */
export const MAX_PAGE_NO = 10_000_000;

/** BatchDetails.yml paging: pageNo from 0, pageSize 1-10000 (default 100). */
export function parsePaging(pageNo?: string, pageSize?: string): { limit: number; offset: number } {
  const no = parseIntParam(pageNo, 'pageNo', { min: 0, max: MAX_PAGE_NO, fallback: 0 });
  const size = parseIntParam(pageSize, 'pageSize', {
    min: 1,
    max: MAX_PAGE_SIZE,
    fallback: DEFAULT_PAGE_SIZE,
  });
  return { limit: size, offset: no * size };
}

export const MAX_LIST_LIMIT = 500;
export const MAX_LIST_OFFSET = 1_000_000;

export function parseListPaging(limit?: string, offset?: string): { limit: number; offset: number } {
  return {
    limit: parseIntParam(limit, 'limit', { min: 1, max: MAX_LIST_LIMIT, fallback: 50 }),
    offset: parseIntParam(offset, 'offset', { min: 0, max: MAX_LIST_OFFSET, fallback: 0 }),
  };
}

const ISO: readonly IsoStatus[] = ['PDNG', 'ACCP', 'ACSC', 'RJCT'];

/**
 * The internal states a `status` filter stands for: ISO 20022 codes (PDNG, ACCP, ACSC, RJCT) and internal
 * state names, case-insensitive, several separated by commas. Absent or empty: no filter (undefined).
 */
export function parseStatusFilter(raw: string | undefined): InstructionState[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const states = new Set<InstructionState>();
  for (const part of raw.split(',')) {
    const token = part.trim();
    const iso = ISO.find((s) => s === token.toUpperCase());
    const internal = INSTRUCTION_STATES.find((s) => s === token.toLowerCase());
    if (iso) statesForIso(iso).forEach((s) => states.add(s));
    else if (internal) states.add(internal);
    else
      throw bad(`status '${clip(token)}' is not one of ${ISO.join(', ')}, ${INSTRUCTION_STATES.join(', ')}`);
  }
  // In the order of INSTRUCTION_STATES, so that equal filters give equal SQL parameters.
  return INSTRUCTION_STATES.filter((s) => states.has(s));
}

/** Bulk instructions all go out: OUTGOING (the default) lists them, INCOMING lists nothing. */
export function parseDirection(raw: string | undefined): 'OUTGOING' | 'INCOMING' {
  if (raw === undefined || raw === '') return 'OUTGOING';
  const d = raw.toUpperCase();
  if (d === 'OUTGOING' || d === 'INCOMING') return d;
  throw bad(`direction '${clip(raw)}' is not OUTGOING or INCOMING`);
}

const PROGRAM_CODE = /^[A-Za-z0-9._-]{1,20}$/;

export function parseListFilter(
  state?: string,
  programCode?: string,
): { state: BatchState | null; programCode: string | null } {
  let s: BatchState | null = null;
  if (state !== undefined && state !== '') {
    s = BATCH_STATES.find((x) => x === state.toLowerCase()) ?? null;
    if (!s) throw bad(`state '${clip(state)}' is not one of ${BATCH_STATES.join(', ')}`);
  }
  if (programCode !== undefined && programCode !== '' && !PROGRAM_CODE.test(programCode))
    throw bad('programCode must be 1-20 letters, digits or . _ -');
  return { state: s, programCode: programCode || null };
}

// ---------------------------------------------------------------------------------------------------------------
// Views

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** How the payee was named: by functional ID (resolved in the mapper) or by a direct address of a modality. */
export function payeePartyIdTypeOf(functionalId: string | null, modality: string | null): string | null {
  if (functionalId !== null) return 'FUNCTIONAL_ID';
  switch (modality) {
    case '00':
      return 'ACCOUNT';
    case '01':
      return 'MSISDN';
    case '02':
      return 'VOUCHER';
    case '03':
      return 'WALLET';
    case '04':
      return 'ALIAS';
    default:
      return null;
  }
}

export function errorInformationOf(code: string | null, reason: string | null): string | null {
  const text = [code, reason].filter((s) => s).join(' ');
  return text || null;
}

/** The currency a row's amount is counted in: its own when valid (it then equals the batch's), else the batch's. */
const amountCurrency = (r: InstructionRow, batchCurrency: string) =>
  isCurrency(r.currency) ? r.currency : batchCurrency;

/** Exact decimal text of the row's amount, or null when none was valid. */
export function rowAmount(r: InstructionRow, batchCurrency: string): string | null {
  return r.amount === null ? null : formatAmount(BigInt(r.amount), amountCurrency(r, batchCurrency));
}

export function detailItem(r: InstructionRow, c: BatchContext): BatchDetailItemDto {
  const b = c.batch;
  return {
    workflowInstanceKey: r.sub_batch_id,
    transactionId: r.instruction_id,
    startedAt: b.createdAt.toISOString(),
    completedAt: iso(r.finished_at),
    status: isoStatusOf(r.state),
    statusDetail: r.state,
    payeeDfspId: r.institution_code,
    payeePartyId: r.payee_functional_id,
    payeePartyIdType: payeePartyIdTypeOf(r.payee_functional_id, r.modality),
    payeeFee: 0,
    payeeFeeCurrency: b.currency,
    payerDfspId: c.payerFspCode,
    payerPartyId: c.payerIdentifier,
    payerPartyIdType: 'ACCOUNT',
    payerFee: 0,
    payerFeeCurrency: b.currency,
    amount: r.amount === null ? null : asNumber(BigInt(r.amount), amountCurrency(r, b.currency)),
    currency: r.currency,
    direction: 'OUTGOING',
    errorInformation: errorInformationOf(r.reason_code, r.reason),
    batchId: b.id,
    reasonCode: r.reason_code,
    fspReference: r.fsp_reference,
    duplicatePayee: r.duplicate_payee,
  };
}

export function instructionStatus(
  r: InstructionRow,
  occurrences: number,
  c: BatchContext,
): InstructionStatusDto {
  return { ...detailItem(r, c), ...(occurrences > 1 ? { occurrences } : {}) };
}

/** Instruction counts by ISO status, from counts by internal state. */
export function countsByIso(byState: Partial<Record<InstructionState, number>>): BatchStatusCountsDto {
  const out: BatchStatusCountsDto = { PDNG: 0, ACCP: 0, ACSC: 0, RJCT: 0 };
  for (const s of INSTRUCTION_STATES) out[isoStatusOf(s)] += byState[s] ?? 0;
  return out;
}

/**
 * The summary: the final callback's totals (same BatchOutcome, same `asNumber`), their exact decimal twins,
 * the ledger's view of the batch's money, and how far its sub-batches got.
 */
export function summaryView(
  c: BatchContext,
  o: BatchOutcome,
  byState: Partial<Record<InstructionState, number>>,
  subBatches: SubBatchCountsDto,
): BatchSummaryDto {
  const b = c.batch;
  const cur = b.currency;
  return {
    batchId: b.id,
    externalBatchId: b.externalBatchId,
    requestId: b.requestId,
    programCode: c.programCode,
    status: b.state,
    statusReason: b.stateReason,
    currency: cur,
    createdAt: b.createdAt.toISOString(),
    approvedBy: b.approvedBy,
    approvedAt: iso(b.approvedAt),
    completedAt: iso(b.completedAt),
    TotalTransactions: o.total,
    completed: o.completed,
    failed: o.failed,
    ongoing: o.ongoing,
    totalAmount: asNumber(o.totalAmount, cur),
    completed_amount: asNumber(o.completedAmount, cur),
    failed_amount: asNumber(o.failedAmount, cur),
    ongoing_amount: asNumber(o.ongoingAmount, cur),
    amounts: {
      total: formatAmount(o.totalAmount, cur),
      completed: formatAmount(o.completedAmount, cur),
      failed: formatAmount(o.failedAmount, cur),
      ongoing: formatAmount(o.ongoingAmount, cur),
      reserved: formatAmount(b.reservedAmount, cur),
      posted: formatAmount(b.postedAmount, cur),
      released: formatAmount(b.releasedAmount, cur),
    },
    byStatus: countsByIso(byState),
    duplicatePayees: o.duplicatePayees,
    subBatches,
    retryOf: b.retryOf,
    result_file: reportPath(b.id),
  };
}

export function listItem(r: BatchListRow): BatchListItemDto {
  return {
    batchId: r.id,
    externalBatchId: r.external_batch_id,
    sourceBbId: r.source_bb_id,
    programCode: r.program_code,
    status: r.state,
    statusReason: r.state_reason,
    instructionCount: r.instruction_count,
    currency: r.currency,
    readyAmount: formatAmount(BigInt(r.ready_amount), r.currency),
    createdAt: r.created_at.toISOString(),
    completedAt: iso(r.completed_at),
  };
}
