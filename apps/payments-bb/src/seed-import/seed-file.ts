import { BeneficiaryInput } from '../account-mapper/domain/beneficiary-input';

/** A g2p entry of the GovStack sandbox seed format (sandbox-seed-data.json). */
export interface SeedG2pEntry {
  index: number;
  requestId: string;
  sourceBbId: string;
  beneficiaries: BeneficiaryInput[];
}

/** A legacy voucher of the sandbox seed: its own number and serial, and the state it is in. */
export interface SeedVoucher {
  index: number;
  number: string | null;
  serial: bigint;
  govStackBb: string;
  /** One of V1_IMPORT_STATES' words, or a state named by the section heading (see sectionState). */
  state: string;
  amount: string;
}

export interface SeedMerchant {
  index: number;
  name: string;
  bankDetails: string;
  group: string;
}

export interface SeedFile {
  g2p: SeedG2pEntry[];
  vouchers: SeedVoucher[];
  merchants: SeedMerchant[];
  /** Entries deliberately not loaded, by reason (e.g. vouchers listed as Not Existing). */
  skipped: Record<string, number>;
}

/**
 * The sandbox seed puts vouchers under "// heading" strings; three headings name states the v1 status words cannot
 * spell (their entries say "Blocked"), and the sandbox's tests expect those states (464, 458, 459).
 */
const SECTION_STATES: Record<string, string> = {
  canceled_vouchers: 'cancelled',
  already_used: 'consumed',
  expired: 'expired',
};

export class SeedFormatError extends Error {}

/** V8 reports "at position N"; people look for a line. */
function lineOf(text: string, message: string): string {
  const pos = /position (\d+)/.exec(message);
  if (!pos) return '';
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
}

const isComment = (v: unknown) => typeof v === 'string' && v.trimStart().startsWith('//');

function str(
  obj: Record<string, unknown>,
  key: string,
  at: string,
  min: number,
  max: number,
  optional = false,
): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new SeedFormatError(`${at}.${key} is required`);
  }
  if (typeof v !== 'string') throw new SeedFormatError(`${at}.${key} must be a string`);
  if (v.length < min || v.length > max)
    throw new SeedFormatError(`${at}.${key} must be ${min}-${max} characters`);
  return v;
}

function obj(v: unknown, at: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SeedFormatError(`${at} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * Reads the whole seed file before anything is written, so a bad entry refuses the file with its
 * position and nothing is half-loaded. The sandbox format puts "// comment" strings between entries.
 */
export function parseSeedFile(text: string): SeedFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SeedFormatError(
      `Not valid JSON${lineOf(text, (err as Error).message)}: ${(err as Error).message}`,
    );
  }
  const root = obj(data, 'file');
  const known = ['g2p', 'vouchers', 'merchants'];
  const extra = Object.keys(root).filter((k) => !known.includes(k));
  if (extra.length)
    throw new SeedFormatError(`Unknown top-level keys: ${extra.join(', ')} (expected ${known.join(', ')})`);
  const list = (key: string): unknown[] => {
    const v = root[key] ?? [];
    if (!Array.isArray(v)) throw new SeedFormatError(`${key} must be an array`);
    return v;
  };
  const g2p: SeedG2pEntry[] = [];
  list('g2p').forEach((raw, index) => {
    if (isComment(raw)) return;
    const at = `g2p[${index}]`;
    const e = obj(raw, at);
    const bens = e.Beneficiaries;
    if (!Array.isArray(bens) || bens.length === 0)
      throw new SeedFormatError(`${at}.Beneficiaries must be a non-empty array`);
    g2p.push({
      index,
      requestId: str(e, 'RequestID', at, 1, 64)!,
      sourceBbId: str(e, 'SourceBBID', at, 1, 64)!,
      beneficiaries: bens.map((b, j) => {
        const bt = `${at}.Beneficiaries[${j}]`;
        const bo = obj(b, bt);
        return {
          functionalId: str(bo, 'PayeeFunctionalID', bt, 1, 20)!,
          address: str(bo, 'FinancialAddress', bt, 0, 30, true),
          modality: str(bo, 'PaymentModality', bt, 2, 2, true),
          institutionCode: str(bo, 'BankingInstitutionCode', bt, 1, 11, true),
        };
      }),
    });
  });
  const skipped: Record<string, number> = {};
  const vouchers: SeedVoucher[] = [];
  let section = '';
  list('vouchers').forEach((raw, index) => {
    if (isComment(raw)) {
      section = (raw as string).replace(/^\s*\/\/\s*/, '').trim();
      return;
    }
    const at = `vouchers[${index}]`;
    const e = obj(raw, at);
    const given = str(e, 'voucher_status', at, 1, 40)!;
    if (given === 'Not Existing') {
      skipped['vouchers (Not Existing)'] = (skipped['vouchers (Not Existing)'] ?? 0) + 1;
      return;
    }
    const numberRaw = e.voucher_number;
    const number = typeof numberRaw === 'number' ? String(numberRaw) : numberRaw;
    if (given !== 'Purged' && (typeof number !== 'string' || !/^[0-9]{1,25}$/.test(number)))
      throw new SeedFormatError(`${at}.voucher_number must be 1-25 digits`);
    const serialRaw = e.voucher_serial_number;
    if (
      !(typeof serialRaw === 'number' && Number.isSafeInteger(serialRaw) && serialRaw > 0) &&
      !(typeof serialRaw === 'string' && /^[1-9][0-9]{0,17}$/.test(serialRaw))
    )
      throw new SeedFormatError(`${at}.voucher_serial_number must be a positive integer`);
    vouchers.push({
      index,
      number: given === 'Purged' ? null : (number as string),
      serial: BigInt(serialRaw as number | string),
      govStackBb: str(e, 'Gov_Stack_BB', at, 1, 64)!,
      state: SECTION_STATES[section] ?? given,
      amount: str(e, 'voucher_amount', at, 1, 23)!,
    });
  });
  const merchants: SeedMerchant[] = [];
  list('merchants').forEach((raw, index) => {
    if (isComment(raw)) return;
    const at = `merchants[${index}]`;
    const e = obj(raw, at);
    merchants.push({
      index,
      name: str(e, 'merchant_name', at, 1, 200)!,
      bankDetails: str(e, 'merchant_bank_details', at, 1, 100)!,
      group: str(e, 'merchant_voucher_group', at, 1, 64)!,
    });
  });
  return { g2p, vouchers, merchants, skipped };
}
