import { ibanProblem } from './iban';

/** IBANs of the GovStack sandbox seed file plus the ISO 13616 / bank examples for other countries. */
const SEED_IBANS = [
  'NL87ABNA4193835510',
  'NL64ABNA6201350640',
  'LI8508800573553116542',
  'LI4808800751423444466',
  'CZ0950517414831742493929',
  'CZ6550516515642174132154',
  'CZ4150515873793513322865',
  'IT79U0300203280976621416214',
];
const OTHER_VALID = ['DE89370400440532013000', 'GB29NWBK60161331926819', 'GB82WEST12345698765432'];

describe('ibanProblem', () => {
  it.each([...SEED_IBANS, ...OTHER_VALID])('accepts the valid IBAN %s', (iban) => {
    expect(ibanProblem(iban)).toBeUndefined();
  });

  it.each([
    ['NL88ABNA4193835510'],
    ['DE89370400440532013001'],
    ['GB28NWBK60161331926819'],
    ['LI8608800573553116542'],
    ['IT80U0300203280976621416214'],
  ])('refuses %s: wrong check digits', (iban) => {
    expect(ibanProblem(iban)).toBe('IBAN check digits are wrong (mod-97)');
  });

  it('refuses an IBAN whose length is wrong for its country, even before the checksum', () => {
    expect(ibanProblem('NL87ABNA41938355100')).toBe('IBAN for NL must have 18 characters');
    expect(ibanProblem('DE8937040044053201300')).toBe('IBAN for DE must have 22 characters');
    expect(ibanProblem('GB29NWBK6016133192681')).toBe('IBAN for GB must have 22 characters');
  });

  it('refuses a country that issues no IBANs', () => {
    expect(ibanProblem('US12345678901234')).toBe('IBAN country US does not issue IBANs');
  });

  it('expects the normalised form: lower case or spaces are not an IBAN', () => {
    const shapeProblem = 'IBAN must be a country code, 2 check digits and up to 30 letters or digits';
    expect(ibanProblem('nl87abna4193835510')).toBe(shapeProblem);
    expect(ibanProblem('NL87 ABNA 4193 8355 10')).toBe(shapeProblem);
    expect(ibanProblem('NLXXABNA4193835510')).toBe(shapeProblem);
  });
});
