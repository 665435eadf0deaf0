import { ibanProblem, LOOKS_LIKE_IBAN } from './iban';
import { PaymentModality } from './payment-modality';

export type AddressCheck = { ok: true; address: string | null } | { ok: false; reason: string };

const E164 = /^\+[1-9][0-9]{7,14}$/;
const DOMESTIC_ACCOUNT = /^[A-Z0-9-]{5,30}$/;
const WALLET_ID = /^[A-Za-z0-9@._+:-]{3,30}$/;

const compact = (s: string) => s.replace(/[\s]/g, '');

/** MSISDNs arrive as +2557..., 002557... or 2557...; we keep the E.164 form with the plus. */
function normaliseMsisdn(raw: string): string {
  const s = compact(raw).replace(/[-().]/g, '');
  if (s.startsWith('00')) return `+${s.slice(2)}`;
  return s.startsWith('+') ? s : `+${s}`;
}

/**
 * Checks a financial address against its payment modality and returns the form we store:
 * bank accounts as IBAN (mod-97, country length) when they look like one, else a domestic account
 * number; mobile money as E.164; wallets and proxies as opaque IDs; vouchers need no address.
 */
export function checkFinancialAddress(modality: PaymentModality, raw: string | undefined): AddressCheck {
  const given = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  switch (modality) {
    case '00': {
      if (!given) return { ok: false, reason: 'FinancialAddress is required for a bank account' };
      const account = compact(given).toUpperCase();
      if (LOOKS_LIKE_IBAN.test(account)) {
        const problem = ibanProblem(account);
        return problem ? { ok: false, reason: problem } : { ok: true, address: account };
      }
      return DOMESTIC_ACCOUNT.test(account)
        ? { ok: true, address: account }
        : { ok: false, reason: 'Bank account must be an IBAN or 5-30 letters and digits' };
    }
    case '01': {
      if (!given) return { ok: false, reason: 'FinancialAddress is required for mobile money' };
      const msisdn = normaliseMsisdn(given);
      return E164.test(msisdn)
        ? { ok: true, address: msisdn }
        : { ok: false, reason: 'Mobile money address must be an E.164 MSISDN (8-15 digits, country code first)' };
    }
    case '02':
      if (!given) return { ok: true, address: null };
      return WALLET_ID.test(given) ? { ok: true, address: given } : { ok: false, reason: 'Voucher address is not valid' };
    case '03':
    case '04': {
      const what = modality === '03' ? 'Digital wallet ID' : 'Proxy alias';
      if (!given) return { ok: false, reason: `FinancialAddress is required for ${modality === '03' ? 'a digital wallet' : 'a proxy'}` };
      return WALLET_ID.test(given)
        ? { ok: true, address: given }
        : { ok: false, reason: `${what} must be 3-30 letters, digits or @ . _ + : -` };
    }
  }
}

/**
 * GovStack's v1 and seed data may leave PaymentModality out. We infer it only where the address
 * leaves no doubt: a valid IBAN is a bank account, an E.164 number with a plus is mobile money.
 */
export function inferModality(raw: string | undefined): PaymentModality | undefined {
  if (!raw) return undefined;
  const s = compact(raw).toUpperCase();
  if (LOOKS_LIKE_IBAN.test(s) && !ibanProblem(s)) return '00';
  if (E164.test(s)) return '01';
  return undefined;
}
