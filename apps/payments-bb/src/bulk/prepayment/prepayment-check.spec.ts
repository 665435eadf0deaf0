import {
  buildAnswer,
  chunksOf,
  excludeUsedIds,
  failureReason,
  firstCurrency,
  fspFailureReason,
  PrepaymentCandidate,
  resolvePayees,
  screenInstructions,
} from './prepayment-check';

const RULES = { programCurrency: 'TZS', exactIdLength: 16 };
const ins = (id: string, payee = 'FID00000000000000001', amount: unknown = 100, currency: unknown = 'TZS') => ({
  InstructionID: id,
  PayeeFunctionalID: payee,
  Amount: amount,
  Currency: currency,
  Narration: 'Benefit',
});

describe('screenInstructions', () => {
  it('passes good instructions on with exact minor units', () => {
    const r = screenInstructions([ins('INS0000000000001', 'FID1', 150.5), ins('INS0000000000002', 'FID2', '20')], RULES);
    expect(r.failures).toEqual([]);
    expect(r.candidates).toEqual([
      { index: 0, instructionId: 'INS0000000000001', functionalId: 'FID1', amount: 15050n, currency: 'TZS' },
      { index: 1, instructionId: 'INS0000000000002', functionalId: 'FID2', amount: 2000n, currency: 'TZS' },
    ]);
  });

  it('fails each broken field with its ISO 20022 reason code, alone', () => {
    const r = screenInstructions(
      [
        ins('SHORT'),
        ins('INS0000000000002', 'FID', 1.234),
        ins('INS0000000000003', 'FID', 10, 'KES'),
        ins('INS0000000000004', 'FID', -5),
        { ...ins('INS0000000000005'), PayeeFunctionalID: undefined },
        { ...ins('INS0000000000006'), Narration: 'x'.repeat(51) },
        'not an object',
        ins('INS0000000000008'),
      ],
      RULES,
    );
    expect(r.failures.map((f) => [f.index, f.reason.slice(0, 4)])).toEqual([
      [0, 'CH16'],
      [1, 'AM12'],
      [2, 'AM03'],
      [3, 'AM12'],
      [4, 'CH16'],
      [5, 'CH16'],
      [6, 'CH16'],
    ]);
    expect(r.failures[0].reason).toBe('CH16 InstructionID must be exactly 16 characters');
    expect(r.failures[1]).toMatchObject({ instructionId: 'INS0000000000002', functionalId: 'FID', reason: 'AM12 Amount has 3 decimals but TZS allows 2' });
    expect(r.failures[4].reason).toBe('CH16 PayeeFunctionalID is required');
    expect(r.failures[6]).toMatchObject({ instructionId: '', functionalId: '' });
    expect(r.candidates.map((c) => c.index)).toEqual([7]);
  });

  it('keeps the first of a repeated InstructionID and fails the later ones with AM05', () => {
    const r = screenInstructions([ins('INS0000000000001', 'A'), ins('INS0000000000001', 'B'), ins('INS0000000000001', 'C')], RULES);
    expect(r.candidates.map((c) => c.functionalId)).toEqual(['A']);
    expect(r.failures).toEqual([
      { index: 1, instructionId: 'INS0000000000001', functionalId: 'B', reason: 'AM05 Duplicate InstructionID in this request' },
      { index: 2, instructionId: 'INS0000000000001', functionalId: 'C', reason: 'AM05 Duplicate InstructionID in this request' },
    ]);
  });

  it('does not count an invalid instruction as the first holder of its ID', () => {
    const r = screenInstructions([ins('INS0000000000001', 'A', 'x'), ins('INS0000000000001', 'B')], RULES);
    expect(r.failures.map((f) => f.reason.slice(0, 4))).toEqual(['AM12']);
    expect(r.candidates.map((c) => c.functionalId)).toEqual(['B']);
  });
});

describe('excludeUsedIds', () => {
  it('fails instruction IDs the source BB already used in a batch', () => {
    const c = (id: string): PrepaymentCandidate => ({ index: 0, instructionId: id, functionalId: 'F', amount: 1n, currency: 'TZS' });
    const r = excludeUsedIds([c('A'), c('B')], new Set(['B']));
    expect(r.remaining.map((x) => x.instructionId)).toEqual(['A']);
    expect(r.failures[0].reason).toMatch(/^AM05 /);
  });
});

describe('resolvePayees', () => {
  const c = (index: number, functionalId: string): PrepaymentCandidate => ({
    index,
    instructionId: `INS${String(index).padStart(13, '0')}`,
    functionalId,
    amount: 100n,
    currency: 'TZS',
  });

  it('fails unregistered, voucher and address-less payees and groups the rest by payee FSP', () => {
    const payees = new Map([
      ['bank', { modality: '00', address: 'NL87ABNA4193835510', institutionCode: 'ABNANL2A' }],
      ['mobile', { modality: '01', address: '+255712345678', institutionCode: null }],
      ['voucher', { modality: '02', address: null, institutionCode: null }],
      ['empty', { modality: '04', address: null, institutionCode: null }],
      ['bank2', { modality: '00', address: 'NL64ABNA6201350640', institutionCode: 'ABNANL2A' }],
    ]);
    const r = resolvePayees([c(0, 'bank'), c(1, 'mobile'), c(2, 'nobody'), c(3, 'voucher'), c(4, 'empty'), c(5, 'bank2')], payees);
    expect(r.failures.map((f) => [f.index, f.reason.slice(0, 4)])).toEqual([
      [2, 'BE06'],
      [3, 'AG01'],
      [4, 'AC01'],
    ]);
    expect(r.failures[0].reason).toBe('BE06 PayeeFunctionalID is not registered, or not active, in the account mapper');
    expect([...r.byDestination.keys()]).toEqual(['ABNANL2A', '']);
    expect(r.byDestination.get('ABNANL2A')!.map((a) => [a.index, a.financialAddress])).toEqual([
      [0, 'NL87ABNA4193835510'],
      [5, 'NL64ABNA6201350640'],
    ]);
    expect(r.byDestination.get('')![0]).toMatchObject({ index: 1, destination: '', financialAddress: '+255712345678' });
  });
});

describe('reasons', () => {
  it('clips to 100 characters', () => {
    expect(failureReason('CH16', 'x'.repeat(200))).toHaveLength(100);
  });

  it("keeps a payer FSP's reason that starts with an ISO code, marks others as narrative", () => {
    expect(fspFailureReason('AC04 Account closed')).toBe('AC04 Account closed');
    expect(fspFailureReason('account closed')).toBe('NARR account closed');
    expect(fspFailureReason('')).toBe('NARR Account validation failed at the payer FSP');
    expect(fspFailureReason('AC04')).toBe('AC04');
    expect(fspFailureReason(`AM14 ${'y'.repeat(300)}`)).toHaveLength(100);
  });
});

describe('buildAnswer', () => {
  const req = { RequestID: 'RequestID111', BatchID: 'BatchID00001' };
  const f = (index: number) => ({ index, instructionId: `I${index}`, functionalId: `F${index}`, reason: 'BE06 x' });

  it('answers 00 with no failures', () => {
    expect(buildAnswer(req, 3, [], true)).toEqual({
      ResponseCode: '00',
      ResponseDescription: 'Pre-payment validation completed: all 3 instruction(s) passed',
      RequestID: 'RequestID111',
      BatchID: 'BatchID00001',
      NumberOfFailedInstructions: 0,
      FailedInstructions: [],
    });
  });

  it('answers 00 listing failures in request order, even when every instruction failed', () => {
    const a = buildAnswer(req, 2, [f(1), f(0)], true);
    expect(a.ResponseCode).toBe('00');
    expect(a.ResponseDescription).toBe('Pre-payment validation completed: 2 of 2 instruction(s) failed');
    expect(a.FailedInstructions).toEqual([
      { InstructionID: 'I0', PayeeFunctionalID: 'F0', FailureReason: 'BE06 x' },
      { InstructionID: 'I1', PayeeFunctionalID: 'F1', FailureReason: 'BE06 x' },
    ]);
  });

  it('answers 01 when the payer FSP could not be asked about every account', () => {
    const a = buildAnswer(req, 5, [f(0)], false);
    expect(a.ResponseCode).toBe('01');
    expect(a.ResponseDescription).toMatch(/^Account validation at the payer FSP could not be completed/);
    expect(a.ResponseDescription.length).toBeLessThanOrEqual(200);
    expect(a.NumberOfFailedInstructions).toBe(1);
  });
});

describe('helpers', () => {
  it('chunks', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 2)).toEqual([]);
  });

  it('reads the first currency', () => {
    expect(firstCurrency([{ Currency: ' tzs ' }])).toBe('TZS');
    expect(firstCurrency([null])).toBeUndefined();
    expect(firstCurrency([{ Currency: 5 }])).toBeUndefined();
  });
});
