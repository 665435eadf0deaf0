import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSeedFile, SeedFormatError } from './seed-file';

/** The shared GovStack specs sit next to the repository (../shared). */
const SANDBOX_SEED = resolve(
  __dirname,
  '../../../../../shared/specs/govstack-payments-bb/sandbox-seed-data.json',
);
const FID = 'PayeeFunctionalID111';

const entry = (beneficiaries: unknown[], over: Record<string, unknown> = {}) => ({
  RequestID: 'RequestID111',
  SourceBBID: 'SourceBBID11',
  BatchID: 'BatchID11111',
  Beneficiaries: beneficiaries,
  ...over,
});
const seed = (g2p: unknown[], rest: Record<string, unknown> = {}) => JSON.stringify({ g2p, ...rest });

/** The SeedFormatError message for a text, or fails when it parses. */
function refusal(text: string): string {
  try {
    parseSeedFile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SeedFormatError);
    return (err as Error).message;
  }
  throw new Error('expected a SeedFormatError');
}

describe('parseSeedFile', () => {
  it('reads the GovStack sandbox seed file', () => {
    const parsed = parseSeedFile(readFileSync(SANDBOX_SEED, 'utf8'));
    expect(parsed.g2p).toHaveLength(9);
    expect(parsed.g2p[0]).toEqual({
      index: 0,
      requestId: 'RequestID111',
      sourceBbId: 'SourceBBID11',
      beneficiaries: [
        { functionalId: FID, address: 'NL87ABNA4193835510', modality: undefined, institutionCode: undefined },
      ],
    });
    expect(parsed.g2p[8].beneficiaries[0].address).toBe('IT79U0300203280976621416214');
    // Comment strings ("// Pre-Activated") are not entries; they name the state of the entries under them.
    expect(parsed.skipped).toEqual({ 'vouchers (Not Existing)': 1 });
    expect(parsed.vouchers).toHaveLength(33);
    expect(parsed.merchants).toHaveLength(7);
    expect(parsed.vouchers.find((v) => v.serial === 2134n)).toMatchObject({
      number: '315425',
      state: 'cancelled',
    });
    expect(parsed.vouchers.find((v) => v.serial === 6001n)).toMatchObject({ state: 'consumed' });
    expect(parsed.vouchers.find((v) => v.serial === 6002n)).toMatchObject({ state: 'expired' });
    expect(parsed.vouchers.find((v) => v.serial === 35678n)).toMatchObject({ number: null, state: 'Purged' });
    expect(parsed.vouchers.find((v) => v.serial === 60000n)).toMatchObject({
      number: '600000',
      state: 'Activated',
      govStackBb: 'bb-digital-registries',
      amount: '1000',
    });
    expect(parsed.merchants[5]).toEqual({
      index: 6,
      name: 'Ronan Oliver',
      bankDetails: 'Vigor Bank Group',
      group: 'insufficient funds',
    });
  });

  it('skips "// comment" strings and keeps the raw index of each entry', () => {
    const parsed = parseSeedFile(
      seed(
        [
          '// first source',
          entry([{ PayeeFunctionalID: FID, PaymentModality: '01', FinancialAddress: '+255712345678' }]),
        ],
        {
          vouchers: ['// none yet'],
        },
      ),
    );
    expect(parsed.g2p.map((e) => e.index)).toEqual([1]);
    expect(parsed.g2p[0].beneficiaries).toEqual([
      { functionalId: FID, modality: '01', address: '+255712345678', institutionCode: undefined },
    ]);
    expect(parsed.skipped).toEqual({});
  });

  it('accepts a file with only some of the parts', () => {
    expect(parseSeedFile('{}')).toEqual({ g2p: [], vouchers: [], merchants: [], skipped: {} });
    expect(parseSeedFile(seed([])).g2p).toEqual([]);
  });

  it('refuses text that is not JSON, saying where', () => {
    const message = refusal('{\n  "g2p": [\n    { "RequestID": "RequestID111" "SourceBBID": "x" }\n  ]\n}');
    expect(message).toMatch(/^Not valid JSON at line 3, column \d+: .*position \d+/);
  });

  it('refuses unknown top-level keys', () => {
    expect(refusal(seed([], { vouchers: [], bills: [] }))).toBe(
      'Unknown top-level keys: bills (expected g2p, vouchers, merchants)',
    );
  });

  it('refuses a root or parts of the wrong type', () => {
    expect(refusal('[]')).toBe('file must be an object');
    expect(refusal('{"g2p": {}}')).toBe('g2p must be an array');
    expect(refusal('{"vouchers": "none"}')).toBe('vouchers must be an array');
  });

  it('names the entry and field at fault, counting comment lines in the position', () => {
    const long = 'X'.repeat(25);
    const text = seed([
      '// comment',
      entry([{ PayeeFunctionalID: FID }]),
      entry([{ PayeeFunctionalID: 'PayeeFunctionalID222' }, { PayeeFunctionalID: long }]),
    ]);
    expect(refusal(text)).toBe('g2p[2].Beneficiaries[1].PayeeFunctionalID must be 1-20 characters');
  });

  it.each([
    [
      'a missing RequestID',
      entry([{ PayeeFunctionalID: FID }], { RequestID: undefined }),
      'g2p[0].RequestID is required',
    ],
    [
      'a numeric SourceBBID',
      entry([{ PayeeFunctionalID: FID }], { SourceBBID: 11 }),
      'g2p[0].SourceBBID must be a string',
    ],
    ['no beneficiaries', entry([]), 'g2p[0].Beneficiaries must be a non-empty array'],
    ['a beneficiary that is not an object', entry(['x']), 'g2p[0].Beneficiaries[0] must be an object'],
    [
      'a missing PayeeFunctionalID',
      entry([{ FinancialAddress: 'NL87ABNA4193835510' }]),
      'g2p[0].Beneficiaries[0].PayeeFunctionalID is required',
    ],
    [
      'an over-long FinancialAddress',
      entry([{ PayeeFunctionalID: FID, FinancialAddress: 'A'.repeat(31) }]),
      'g2p[0].Beneficiaries[0].FinancialAddress must be 0-30 characters',
    ],
    [
      'a PaymentModality of the wrong length',
      entry([{ PayeeFunctionalID: FID, PaymentModality: '1' }]),
      'g2p[0].Beneficiaries[0].PaymentModality must be 2-2 characters',
    ],
    ['an entry that is a number', 42, 'g2p[0] must be an object'],
  ])('refuses %s', (_why, raw, message) => {
    expect(refusal(seed([raw]))).toBe(message);
  });
});
