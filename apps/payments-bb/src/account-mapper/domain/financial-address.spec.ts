import { AddressCheck, checkFinancialAddress, inferModality } from './financial-address';
import { PaymentModality } from './payment-modality';

const ok = (address: string | null): AddressCheck => ({ ok: true, address });
const refused = (reason: string): AddressCheck => ({ ok: false, reason });
const MSISDN_REASON = 'Mobile money address must be an E.164 MSISDN (8-15 digits, country code first)';

describe('checkFinancialAddress', () => {
  describe('00 bank account', () => {
    it('accepts valid IBANs and stores them upper case without spaces', () => {
      expect(checkFinancialAddress('00', 'NL87ABNA4193835510')).toEqual(ok('NL87ABNA4193835510'));
      expect(checkFinancialAddress('00', 'nl87abna4193835510')).toEqual(ok('NL87ABNA4193835510'));
      expect(checkFinancialAddress('00', ' DE89 3704 0044 0532 0130 00 ')).toEqual(
        ok('DE89370400440532013000'),
      );
      expect(checkFinancialAddress('00', 'gb29 nwbk 6016 1331 9268 19')).toEqual(
        ok('GB29NWBK60161331926819'),
      );
      expect(checkFinancialAddress('00', 'LI85 0880 0573 5531 1654 2')).toEqual(ok('LI8508800573553116542'));
    });

    it('refuses an IBAN with wrong check digits or the wrong length for its country', () => {
      expect(checkFinancialAddress('00', 'NL88ABNA4193835510')).toEqual(
        refused('IBAN check digits are wrong (mod-97)'),
      );
      expect(checkFinancialAddress('00', 'nl88 abna 4193 8355 10')).toEqual(
        refused('IBAN check digits are wrong (mod-97)'),
      );
      expect(checkFinancialAddress('00', 'NL87ABNA419383551')).toEqual(
        refused('IBAN for NL must have 18 characters'),
      );
    });

    it('accepts a domestic account number that does not look like an IBAN', () => {
      expect(checkFinancialAddress('00', 'acc-12345')).toEqual(ok('ACC-12345'));
      expect(checkFinancialAddress('00', '0123456789')).toEqual(ok('0123456789'));
    });

    it('refuses a missing, blank or malformed account', () => {
      const missing = refused('FinancialAddress is required for a bank account');
      expect(checkFinancialAddress('00', undefined)).toEqual(missing);
      expect(checkFinancialAddress('00', '   ')).toEqual(missing);
      expect(checkFinancialAddress('00', 'AB1')).toEqual(
        refused('Bank account must be an IBAN or 5-30 letters and digits'),
      );
      expect(checkFinancialAddress('00', 'ACC_123456')).toEqual(
        refused('Bank account must be an IBAN or 5-30 letters and digits'),
      );
    });
  });

  describe('01 mobile money (MSISDN normalisation)', () => {
    it.each([
      ['+255712345678'],
      ['00255712345678'],
      ['255712345678'],
      ['+255 712 345 678'],
      ['255-712-345-678'],
      ['(255) 712.345.678'],
    ])('normalises %s to +255712345678', (raw) => {
      expect(checkFinancialAddress('01', raw)).toEqual(ok('+255712345678'));
    });

    it('accepts the E.164 bounds: 8 and 15 digits', () => {
      expect(checkFinancialAddress('01', '+25571234')).toEqual(ok('+25571234'));
      expect(checkFinancialAddress('01', '+255712345678901')).toEqual(ok('+255712345678901'));
    });

    it.each([
      ['too short', '+2557123'],
      ['too long', '+2557123456789012'],
      ['leading zero country code', '+0255712345678'],
      ['letters', '+255ABC345678'],
      ['00 and too short', '002557123'],
    ])('refuses an MSISDN that is %s', (_why, raw) => {
      expect(checkFinancialAddress('01', raw)).toEqual(refused(MSISDN_REASON));
    });

    it('requires an address', () => {
      expect(checkFinancialAddress('01', undefined)).toEqual(
        refused('FinancialAddress is required for mobile money'),
      );
    });
  });

  describe('02 voucher', () => {
    it('needs no address and stores none', () => {
      expect(checkFinancialAddress('02', undefined)).toEqual(ok(null));
      expect(checkFinancialAddress('02', '  ')).toEqual(ok(null));
    });

    it('keeps a well-formed voucher address and refuses a malformed one', () => {
      expect(checkFinancialAddress('02', 'VCH-368973')).toEqual(ok('VCH-368973'));
      expect(checkFinancialAddress('02', 'bad voucher!')).toEqual(refused('Voucher address is not valid'));
    });
  });

  describe.each<[PaymentModality, string, string]>([
    ['03', 'a digital wallet', 'Digital wallet ID'],
    ['04', 'a proxy', 'Proxy alias'],
  ])('%s', (modality, requiredWhat, what) => {
    it('keeps a wallet ID / alias as given', () => {
      expect(checkFinancialAddress(modality, 'jane.doe@wallet')).toEqual(ok('jane.doe@wallet'));
      expect(checkFinancialAddress(modality, ' +255712345678 ')).toEqual(ok('+255712345678'));
    });

    it('requires an address', () => {
      expect(checkFinancialAddress(modality, undefined)).toEqual(
        refused(`FinancialAddress is required for ${requiredWhat}`),
      );
    });

    it('refuses too short or invalid characters', () => {
      const reason = refused(`${what} must be 3-30 letters, digits or @ . _ + : -`);
      expect(checkFinancialAddress(modality, 'ab')).toEqual(reason);
      expect(checkFinancialAddress(modality, 'jane doe')).toEqual(reason);
      expect(checkFinancialAddress(modality, 'a'.repeat(31))).toEqual(reason);
    });
  });
});

describe('inferModality', () => {
  it('infers 00 from a valid IBAN, in any case and with spaces', () => {
    expect(inferModality('NL87ABNA4193835510')).toBe('00');
    expect(inferModality('nl87 abna 4193 8355 10')).toBe('00');
    expect(inferModality('IT79U0300203280976621416214')).toBe('00');
  });

  it('infers 01 only from an E.164 number with a plus', () => {
    expect(inferModality('+255712345678')).toBe('01');
    expect(inferModality('+255 712 345 678')).toBe('01');
    expect(inferModality('255712345678')).toBeUndefined();
    expect(inferModality('00255712345678')).toBeUndefined();
  });

  it('infers nothing when the address leaves doubt', () => {
    expect(inferModality(undefined)).toBeUndefined();
    expect(inferModality('')).toBeUndefined();
    expect(inferModality('NL88ABNA4193835510')).toBeUndefined();
    expect(inferModality('ACC-12345')).toBeUndefined();
    expect(inferModality('jane@wallet')).toBeUndefined();
  });
});
