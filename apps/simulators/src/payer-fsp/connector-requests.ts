import { createHash } from 'node:crypto';
import { DecimalAmount, formatDecimal, parseDecimal } from './amounts';

/**
 * Checks of the connector's request bodies (docs/fsp-connector.md). Each returns the request with amounts
 * parsed, or a short error for a 400 answer. Messages name fields and instruction IDs, never a financial address.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export const RAILS = ['bank', 'mobile_money', 'wallet', 'proxy'] as const;

export interface SubBatchInstruction {
  instructionId: string;
  amount: DecimalAmount;
  financialAddress: string;
}

export interface SubBatchSubmission {
  subBatchId: string;
  batchId: string;
  currency: string;
  statusPushUrl: string;
  instructions: SubBatchInstruction[];
  /** SHA-256 over every field but statusPushUrl: equal fingerprints mean a retry of the same sub-batch. */
  fingerprint: string;
}

export interface AuthorizationRequest {
  batchID: string;
  payerIdentifier: string;
  currency: string;
  amount: DecimalAmount;
}

export interface ValidationItem {
  instructionID: string;
  financialAddress: string;
}

export interface ValidationRequest {
  batchId: string;
  destinationDFSPID: string;
  creditInstructions: ValidationItem[];
}

const CURRENCY = /^[A-Z]{3}$/;
const MAX_ID = 128;
const MAX_TEXT = 512;

type Json = Record<string, unknown>;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;

/** A required, non-empty string field, or the error naming it. */
function missingId(body: Json, field: string, where = ''): string | undefined {
  return isId(body[field])
    ? undefined
    : `${where}${field} must be a non-empty string of at most ${MAX_ID} characters`;
}

export function checkSubBatch(body: unknown): Checked<SubBatchSubmission> {
  if (!isObject(body)) return fail('the body must be a JSON object');
  for (const field of ['subBatchId', 'batchId', 'payerIdentifier']) {
    const problem = missingId(body, field);
    if (problem) return fail(problem);
  }
  if (!isText(body.destinationDFSPID))
    return fail('destinationDFSPID must be a string ("" when the FSP routes itself)');
  if (!RAILS.includes(body.rail as (typeof RAILS)[number]))
    return fail(`rail must be one of ${RAILS.join(', ')}`);
  if (typeof body.currency !== 'string' || !CURRENCY.test(body.currency))
    return fail('currency must be an ISO 4217 code such as "TZS"');
  const total = parseDecimal(body.totalAmount);
  if (!total) return fail('totalAmount must be a decimal string such as "300.00"');
  if (!isHttpUrl(body.statusPushUrl)) return fail('statusPushUrl must be an http(s) URL');
  if (!Array.isArray(body.instructions) || body.instructions.length === 0)
    return fail('instructions must be a non-empty array');

  const currency = body.currency;
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([
      body.subBatchId,
      body.batchId,
      body.payerIdentifier,
      body.destinationDFSPID,
      body.rail,
      currency,
      body.totalAmount,
    ]),
  );
  const seen = new Set<string>();
  const instructions: SubBatchInstruction[] = [];
  let sum = 0n;
  for (let i = 0; i < body.instructions.length; i++) {
    const item: unknown = body.instructions[i];
    const where = `instructions[${i}].`;
    if (!isObject(item)) return fail(`instructions[${i}] must be an object`);
    const problem = missingId(item, 'instructionId', where) ?? missingId(item, 'financialAddress', where);
    if (problem) return fail(problem);
    const id = item.instructionId as string;
    if (seen.has(id)) return fail(`instructionId '${id}' appears more than once in the sub-batch`);
    seen.add(id);
    const amount = parseDecimal(item.amount);
    if (!amount) return fail(`${where}amount must be a decimal string such as "100.00"`);
    if (amount.minor === 0n) return fail(`${where}amount must be greater than zero`);
    // Without a currency table, "exactly the currency's decimals" is checked as: the same number everywhere.
    if (amount.decimals !== total.decimals)
      return fail(`${where}amount has ${amount.decimals} decimals but totalAmount has ${total.decimals}`);
    if (item.currency !== currency)
      return fail(`${where}currency must be the sub-batch's currency ${currency}`);
    if (!isId(item.paymentModality)) return fail(`${where}paymentModality must be a non-empty string`);
    if (item.narration !== undefined && item.narration !== null && !isText(item.narration))
      return fail(`${where}narration must be a string of at most ${MAX_TEXT} characters`);
    sum += amount.minor;
    hash.update(
      JSON.stringify([id, item.amount, item.financialAddress, item.paymentModality, item.narration ?? null]),
    );
    instructions.push({ instructionId: id, amount, financialAddress: item.financialAddress as string });
  }
  if (sum !== total.minor)
    return fail(
      `totalAmount ${formatDecimal(total)} is not the sum of the instruction amounts ` +
        `(${formatDecimal({ minor: sum, decimals: total.decimals })})`,
    );
  return {
    ok: true,
    value: {
      subBatchId: body.subBatchId as string,
      batchId: body.batchId as string,
      currency,
      statusPushUrl: body.statusPushUrl,
      instructions,
      fingerprint: hash.digest('hex'),
    },
  };
}

export function checkAuthorization(body: unknown, pathBatchId: string): Checked<AuthorizationRequest> {
  if (!isObject(body)) return fail('the body must be a JSON object');
  for (const field of ['batchID', 'payerIdentifier']) {
    const problem = missingId(body, field);
    if (problem) return fail(problem);
  }
  if (body.batchID !== pathBatchId) return fail('batchID must be the batch ID of the URL');
  if (typeof body.currency !== 'string' || !CURRENCY.test(body.currency))
    return fail('currency must be an ISO 4217 code such as "TZS"');
  const amount = parseDecimal(body.amount);
  if (!amount) return fail('amount must be a decimal string such as "1500000.00"');
  return {
    ok: true,
    value: {
      batchID: body.batchID as string,
      payerIdentifier: body.payerIdentifier as string,
      currency: body.currency,
      amount,
    },
  };
}

export function checkValidation(body: unknown): Checked<ValidationRequest> {
  if (!isObject(body)) return fail('the body must be a JSON object');
  const problem = missingId(body, 'batchId');
  if (problem) return fail(problem);
  if (!isText(body.destinationDFSPID)) return fail('destinationDFSPID must be a string');
  if (!Array.isArray(body.creditInstructions)) return fail('creditInstructions must be an array');
  const items: ValidationItem[] = [];
  for (let i = 0; i < body.creditInstructions.length; i++) {
    const item: unknown = body.creditInstructions[i];
    const where = `creditInstructions[${i}].`;
    if (!isObject(item)) return fail(`creditInstructions[${i}] must be an object`);
    const missing = missingId(item, 'instructionID', where) ?? missingId(item, 'financialAddress', where);
    if (missing) return fail(missing);
    // amount and currency are optional here; when sent they must be well-formed.
    if (item.amount !== undefined && !parseDecimal(item.amount))
      return fail(`${where}amount must be a decimal string such as "100.00"`);
    if (item.currency !== undefined && (typeof item.currency !== 'string' || !CURRENCY.test(item.currency)))
      return fail(`${where}currency must be an ISO 4217 code`);
    items.push({
      instructionID: item.instructionID as string,
      financialAddress: item.financialAddress as string,
    });
  }
  return {
    ok: true,
    value: {
      batchId: body.batchId as string,
      destinationDFSPID: body.destinationDFSPID,
      creditInstructions: items,
    },
  };
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
