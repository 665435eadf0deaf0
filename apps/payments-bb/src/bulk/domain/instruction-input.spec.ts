import { parseInstruction } from './instruction-input';

const rules = { programCurrency: 'TZS' };
const good = { instructionId: 'INS0000000000001', functionalId: 'FID1', amount: '100.50', currency: 'TZS', narration: 'May' };

describe('parseInstruction', () => {
  it('accepts a mapper payee and keeps the amount in minor units', () => {
    const p = parseInstruction(good, rules);
    expect(p).toMatchObject({ state: 'received', functionalId: 'FID1', amount: 10050n, currency: 'TZS', narration: 'May', reasonCode: null });
  });

  it('accepts a JSON number amount exactly', () => {
    expect(parseInstruction({ ...good, amount: 0.1 }, rules).amount).toBe(10n);
  });

  it.each([
    [{ amount: '1.234' }, 'AM12', /3 decimals/],
    [{ amount: '-5' }, 'AM12', /.+/],
    [{ amount: '0' }, 'AM12', /greater than zero/],
    [{ amount: 1e21 }, 'AM12', /.+/],
    [{ currency: 'USD' }, 'AM03', /program's currency/],
    [{ currency: 'XYZ' }, 'AM03', /not an active/],
    [{ instructionId: '' }, 'CH16', /InstructionID/],
    [{ instructionId: 'x'.repeat(17) }, 'CH16', /InstructionID/],
    [{ narration: 'n'.repeat(51) }, 'CH16', /Narration/],
    [{ functionalId: 'bad id with spaces' }, 'CH16', /PayeeFunctionalID/],
  ])('refuses %j with %s', (change, code, reason) => {
    const p = parseInstruction({ ...good, ...change }, rules);
    expect(p.state).toBe('invalid');
    expect(p.reasonCode).toBe(code);
    expect(p.reason).toMatch(reason);
  });

  it('enforces an exact ID length when asked (v1)', () => {
    expect(parseInstruction({ ...good, instructionId: 'SHORT' }, { ...rules, exactIdLength: 16 }).reason).toMatch(/exactly 16/);
  });

  it('takes a direct mobile-money address, normalised, with the modality of its type', () => {
    const p = parseInstruction({ ...good, functionalId: undefined, partyIdType: 'MSISDN', partyId: '00255712345678' }, rules);
    expect(p).toMatchObject({ state: 'received', modality: '01', address: '+255712345678', functionalId: null });
  });

  it('refuses a direct address that does not fit its type, and unknown types', () => {
    expect(parseInstruction({ ...good, functionalId: undefined, partyIdType: 'iban', partyId: 'NL88ABNA4193835510' }, rules).reasonCode).toBe('AC01');
    expect(parseInstruction({ ...good, functionalId: undefined, partyIdType: 'email', partyId: 'a@b' }, rules).reason).toMatch(/not one of/);
    expect(parseInstruction({ ...good, functionalId: undefined }, rules).reason).toMatch(/functional ID or as an identifier/);
  });
});
