import { AppException } from '@app/platform';
import { currencyExponent, parseAmount } from '@app/ledger/money';
import { checkFinancialAddress } from '../../account-mapper/domain/financial-address';
import { isPaymentModality, PaymentModality } from '../../account-mapper/domain/payment-modality';
import { REASON } from './instruction-state';

/**
 * One credit instruction as a client sent it, whatever the API: v1 JSON, v3 JSON (creditParty key/value
 * pairs) or a CSV row. Every field is unchecked.
 */
export interface RawInstruction {
  instructionId?: unknown;
  /** Resolved through the account mapper. */
  functionalId?: unknown;
  /** Or a direct address: its type (msisdn, accountNumber, iban, walletId, alias) and value. */
  partyIdType?: unknown;
  partyId?: unknown;
  institutionCode?: unknown;
  amount?: unknown;
  currency?: unknown;
  narration?: unknown;
  paymentMode?: unknown;
}

/** What the ingest stores for a row: either `received` (all field rules pass) or `invalid` with the reason. */
export interface ParsedInstruction {
  instructionId: string;
  functionalId: string | null;
  amount: bigint | null;
  currency: string | null;
  narration: string | null;
  paymentMode: string | null;
  /** Direct addresses only; mapper-resolved rows get theirs in the resolution stage. */
  modality: PaymentModality | null;
  institutionCode: string | null;
  address: string | null;
  state: 'received' | 'invalid';
  reasonCode: string | null;
  reason: string | null;
}

export interface InstructionRules {
  programCurrency: string;
  /** v1 fixes InstructionID at 16 characters; v3 and CSV allow 1-16. */
  exactIdLength?: number;
}

const INSTRUCTION_ID = /^[A-Za-z0-9._:-]{1,16}$/;
const FUNCTIONAL_ID = /^[A-Za-z0-9._:-]{1,20}$/;
const INSTITUTION = /^[A-Za-z0-9]{1,11}$/;
const PAYMENT_MODE = /^[A-Za-z0-9._-]{1,20}$/;

/** Direct-address types (v3 creditParty keys, CSV payee_identifier_type), compared case-insensitively. */
const PARTY_TYPES: Record<string, PaymentModality | 'functional'> = {
  functionalid: 'functional',
  payeefunctionalid: 'functional',
  functional_id: 'functional',
  msisdn: '01',
  mobile: '01',
  accountnumber: '00',
  account_number: '00',
  bankaccount: '00',
  iban: '00',
  walletid: '03',
  wallet: '03',
  alias: '04',
  proxy: '04',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

export function partyTypeOf(raw: string): PaymentModality | 'functional' | undefined {
  return PARTY_TYPES[raw.toLowerCase()];
}

/**
 * Applies the field rules to one row. Never throws: a bad row becomes an `invalid` instruction with an ISO
 * 20022 reason, so one typo does not sink a batch of a million.
 */
export function parseInstruction(raw: RawInstruction, rules: InstructionRules): ParsedInstruction {
  const instructionId = str(raw.instructionId) ?? '';
  const out: ParsedInstruction = {
    instructionId: instructionId.slice(0, 64),
    functionalId: null,
    amount: null,
    currency: null,
    narration: null,
    paymentMode: null,
    modality: null,
    institutionCode: null,
    address: null,
    state: 'invalid',
    reasonCode: REASON.FORMAT,
    reason: null,
  };
  const fail = (reason: string, code: string = REASON.FORMAT) => ({ ...out, reasonCode: code, reason });

  if (!INSTRUCTION_ID.test(instructionId)) return fail('InstructionID must be 1-16 letters, digits or . _ : -');
  if (rules.exactIdLength && instructionId.length !== rules.exactIdLength)
    return fail(`InstructionID must be exactly ${rules.exactIdLength} characters`);

  const currency = str(raw.currency)?.toUpperCase();
  out.currency = currency ? currency.slice(0, 3) : null;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) return fail('Currency must be an ISO 4217 code', REASON.CURRENCY);
  try {
    currencyExponent(currency);
  } catch {
    return fail(`Currency '${currency}' is not an active ISO 4217 code`, REASON.CURRENCY);
  }
  if (currency !== rules.programCurrency)
    return fail(`Currency ${currency} is not the program's currency (${rules.programCurrency})`, REASON.CURRENCY);

  try {
    out.amount = parseAmount(typeof raw.amount === 'string' ? raw.amount.trim() : raw.amount, currency, 'Amount');
  } catch (err) {
    return fail(err instanceof AppException ? err.message : 'Amount is not valid', REASON.AMOUNT);
  }

  const narration = raw.narration === undefined || raw.narration === null ? undefined : str(raw.narration);
  if (narration !== undefined) {
    if (narration.length > 50) return fail('Narration must be at most 50 characters');
    out.narration = narration || null;
  }
  const mode = raw.paymentMode === undefined || raw.paymentMode === null || raw.paymentMode === '' ? undefined : str(raw.paymentMode);
  if (mode !== undefined) {
    if (!PAYMENT_MODE.test(mode)) return fail('paymentMode must be 1-20 letters, digits or . _ -');
    out.paymentMode = mode;
  }
  const institution = raw.institutionCode === undefined || raw.institutionCode === '' ? undefined : str(raw.institutionCode);
  if (institution !== undefined) {
    if (!INSTITUTION.test(institution)) return fail('Institution code must be 1-11 letters or digits');
    out.institutionCode = institution;
  }

  const functionalId = str(raw.functionalId);
  if (functionalId) {
    if (!FUNCTIONAL_ID.test(functionalId)) return fail('PayeeFunctionalID must be 1-20 letters, digits or . _ : -');
    out.functionalId = functionalId;
    return { ...out, state: 'received', reasonCode: null };
  }
  const type = str(raw.partyIdType);
  const value = str(raw.partyId);
  if (!type || !value) return fail('The payee must be given as a functional ID or as an identifier type and value');
  const kind = partyTypeOf(type);
  if (!kind) return fail(`Payee identifier type '${type.slice(0, 20)}' is not one of ${Object.keys(PARTY_TYPES).join(', ')}`);
  if (kind === 'functional') {
    if (!FUNCTIONAL_ID.test(value)) return fail('PayeeFunctionalID must be 1-20 letters, digits or . _ : -');
    return { ...out, functionalId: value, state: 'received', reasonCode: null };
  }
  if (!isPaymentModality(kind)) return fail('Unsupported payee identifier type');
  const check = checkFinancialAddress(kind, value);
  if (!check.ok) return fail(check.reason, REASON.BAD_ACCOUNT);
  return { ...out, modality: kind, address: check.address, state: 'received', reasonCode: null };
}
