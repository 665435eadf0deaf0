import { InstructionRules, parseInstruction } from '../domain/instruction-input';
import { REASON } from '../domain/instruction-state';
import { fromV1 } from '../ingest/instruction-sources';

/**
 * The pure parts of pre-payment validation (spec 9.1.2): which instructions fail before the payer FSP is
 * asked, how the rest are grouped per payee FSP, and how the answer reads. No I/O here.
 */

/** FailedInstructions item of the answer, before it is rendered. */
export interface PrepaymentFailure {
  /** Position in CreditInstructions: the answer lists failures in request order. */
  index: number;
  instructionId: string;
  functionalId: string;
  /** Starts with the ISO 20022 ExternalStatusReason1Code, at most 100 characters. */
  reason: string;
}

/** An instruction that passed the field rules and the duplicate check: its payee is looked up next. */
export interface PrepaymentCandidate {
  index: number;
  instructionId: string;
  functionalId: string;
  amount: bigint;
  currency: string;
}

/** A candidate whose payee resolved to a payable address; the payer FSP is asked about it. */
export interface AccountToCheck extends PrepaymentCandidate {
  financialAddress: string;
  /** Payee FSP (institution code), '' when the mapper has none: the payer FSP routes itself. */
  destination: string;
}

export interface ResolvedPayee {
  modality: string;
  address: string | null;
  institutionCode: string | null;
}

/** The Bulk_ValidateAccount sub-batch size the server sends at most (docs/fsp-connector.md, exchange 2). */
export const VALIDATION_CHUNK = 1000;

const ISO_REASON = /^[A-Z]{2}[A-Z0-9]{2}(\s|$)/;
const MAX_REASON = 100;
const MAX_ECHO = 64;

/** `"<code> <text>"`, clipped to the 100 characters the answer allows. */
export function failureReason(code: string, text: string): string {
  return `${code} ${text}`.slice(0, MAX_REASON);
}

/**
 * A payer FSP's failureReason as the answer shows it: kept when it starts with an ISO 20022 reason code (as the
 * contract asks), otherwise marked as narrative (NARR) so that every FailureReason starts with a code.
 */
export function fspFailureReason(raw: string): string {
  const text = raw.replace(/[^\x20-\x7e]/g, ' ').trim();
  if (!text) return failureReason(REASON.FSP_REFUSED, 'Account validation failed at the payer FSP');
  return ISO_REASON.test(text) ? text.slice(0, MAX_REASON) : failureReason(REASON.FSP_REFUSED, text);
}

/** What the client sent as an ID, echoed back (never trusted, never longer than 64 characters). */
function echo(v: unknown): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_ECHO);
}

/**
 * Field rules (the same as /bulk-payment applies: parseInstruction with the program's currency and the v1
 * 16-character InstructionID), then duplicate InstructionIDs: the first instruction with an ID is checked,
 * later ones fail with AM05.
 */
export function screenInstructions(
  items: readonly unknown[],
  rules: InstructionRules,
): { failures: PrepaymentFailure[]; candidates: PrepaymentCandidate[] } {
  const failures: PrepaymentFailure[] = [];
  const candidates: PrepaymentCandidate[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const raw = fromV1(item);
    const instructionId = echo(raw.instructionId);
    const functionalId = echo(raw.functionalId);
    const fail = (code: string, text: string) => failures.push({ index, instructionId, functionalId, reason: failureReason(code, text) });
    const parsed = parseInstruction(raw, rules);
    if (parsed.state === 'invalid') {
      // v1 names the payee by functional ID only; parseInstruction's generic wording speaks of other ways.
      const missingPayee = parsed.reasonCode === REASON.FORMAT && !functionalId && /^The payee must be given/.test(parsed.reason ?? '');
      fail(parsed.reasonCode ?? REASON.FORMAT, missingPayee ? 'PayeeFunctionalID is required' : (parsed.reason ?? 'Invalid instruction'));
      return;
    }
    if (!parsed.functionalId || parsed.amount === null || !parsed.currency) {
      fail(REASON.FORMAT, 'PayeeFunctionalID is required');
      return;
    }
    if (seen.has(parsed.instructionId)) {
      fail(REASON.DUPLICATE, 'Duplicate InstructionID in this request');
      return;
    }
    seen.add(parsed.instructionId);
    candidates.push({
      index,
      instructionId: parsed.instructionId,
      functionalId: parsed.functionalId,
      amount: parsed.amount,
      currency: parsed.currency,
    });
  });
  return { failures, candidates };
}

/**
 * The account mapper's answer applied to the candidates, with the same rules as a batch's resolution stage:
 * not registered or inactive → BE06, voucher modality → AG01, no address → AC01. The rest are grouped by payee
 * FSP, in request order.
 */
export function resolvePayees(
  candidates: readonly PrepaymentCandidate[],
  payees: ReadonlyMap<string, ResolvedPayee>,
): { failures: PrepaymentFailure[]; byDestination: Map<string, AccountToCheck[]> } {
  const failures: PrepaymentFailure[] = [];
  const byDestination = new Map<string, AccountToCheck[]>();
  for (const c of candidates) {
    const fail = (code: string, text: string) =>
      failures.push({ index: c.index, instructionId: c.instructionId, functionalId: c.functionalId, reason: failureReason(code, text) });
    const payee = payees.get(c.functionalId);
    if (!payee) fail(REASON.UNKNOWN_PAYEE, 'PayeeFunctionalID is not registered, or not active, in the account mapper');
    else if (payee.modality === '02') fail(REASON.NOT_SUPPORTED, 'The payee is registered for vouchers (modality 02), which a credit transfer cannot pay');
    else if (!payee.address) fail(REASON.BAD_ACCOUNT, 'No financial address is registered for the payee');
    else {
      const destination = payee.institutionCode ?? '';
      const group = byDestination.get(destination) ?? [];
      group.push({ ...c, financialAddress: payee.address, destination });
      byDestination.set(destination, group);
    }
  }
  return { failures, byDestination };
}

/** Candidates whose InstructionID the source BB already used in a batch fail with AM05, as /bulk-payment would refuse them. */
export function excludeUsedIds(
  candidates: readonly PrepaymentCandidate[],
  used: ReadonlySet<string>,
): { failures: PrepaymentFailure[]; remaining: PrepaymentCandidate[] } {
  const failures: PrepaymentFailure[] = [];
  const remaining: PrepaymentCandidate[] = [];
  for (const c of candidates) {
    if (!used.has(c.instructionId)) remaining.push(c);
    else
      failures.push({
        index: c.index,
        instructionId: c.instructionId,
        functionalId: c.functionalId,
        reason: failureReason(REASON.DUPLICATE, 'InstructionID was already used in an earlier batch of this source BB'),
      });
  }
  return { failures, remaining };
}

export function chunksOf<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The api-v1 Prepaymentvalidation.yaml answer, with the failed instructions (FailedInstructions) the spec's flow returns. */
export interface PrepaymentValidationAnswer {
  ResponseCode: '00' | '01';
  ResponseDescription: string;
  RequestID: string;
  BatchID: string;
  NumberOfFailedInstructions: number;
  FailedInstructions: { InstructionID: string; PayeeFunctionalID: string; FailureReason: string }[];
}

/**
 * "00" when the check ran to the end, however many instructions failed (reporting failures is the point of the
 * API; even "every instruction failed its field rules" is a complete answer). "01" only when the payer FSP
 * could not be asked about every account: the answer then lists what was found so far and is not final.
 */
export function buildAnswer(
  req: { RequestID: string; BatchID: string },
  total: number,
  failures: readonly PrepaymentFailure[],
  complete: boolean,
): PrepaymentValidationAnswer {
  const sorted = [...failures].sort((a, b) => a.index - b.index);
  const n = sorted.length;
  const description = !complete
    ? `Account validation at the payer FSP could not be completed; ${n} failed instruction(s) found so far are listed. ` +
      'Retry with the same RequestID.'
    : n === 0
      ? `Pre-payment validation completed: all ${total} instruction(s) passed`
      : `Pre-payment validation completed: ${n} of ${total} instruction(s) failed`;
  return {
    ResponseCode: complete ? '00' : '01',
    ResponseDescription: description.slice(0, 200),
    RequestID: req.RequestID,
    BatchID: req.BatchID,
    NumberOfFailedInstructions: n,
    FailedInstructions: sorted.map((f) => ({ InstructionID: f.instructionId, PayeeFunctionalID: f.functionalId, FailureReason: f.reason })),
  };
}

/** Currency of the first instruction, to choose the program when X-Program-Id is not given. */
export function firstCurrency(items: readonly unknown[]): string | undefined {
  const first = items[0];
  const c = first && typeof first === 'object' ? (first as Record<string, unknown>).Currency : undefined;
  return typeof c === 'string' ? c.trim().toUpperCase() : undefined;
}
