import { Readable } from 'node:stream';
import { csvInstructions, fromV1, fromV3, hashingStream } from './instruction-sources';

const collect = async (text: string) => {
  const out = [];
  for await (const r of csvInstructions(Readable.from([Buffer.from(text)]))) out.push(r);
  return out;
};

describe('instruction sources', () => {
  it('reads v1 items by their GovStack names', () => {
    expect(fromV1({ InstructionID: 'I1', PayeeFunctionalID: 'F1', Amount: 5, Currency: 'TZS', Narration: 'n' })).toEqual({
      instructionId: 'I1',
      functionalId: 'F1',
      amount: 5,
      currency: 'TZS',
      narration: 'n',
    });
  });

  it('reads v3 creditParty: a functional ID, or an address with its institution', () => {
    expect(fromV3({ requestId: 'I1', creditParty: [{ key: 'functionalId', value: 'F1' }], amount: '1', currency: 'TZS' }).functionalId).toBe('F1');
    const direct = fromV3({
      requestId: 'I2',
      creditParty: [
        { key: 'msisdn', value: '+255712345678' },
        { key: 'bankCode', value: 'MPESA' },
      ],
      paymentMode: 'gsma',
      amount: '1',
      currency: 'TZS',
    });
    expect(direct).toMatchObject({ partyIdType: 'msisdn', partyId: '+255712345678', institutionCode: 'MPESA', paymentMode: 'gsma' });
  });

  it('keeps an unknown creditParty key so the row is refused naming it', () => {
    expect(fromV3({ requestId: 'I3', creditParty: [{ key: 'email', value: 'x@y' }] })).toMatchObject({ partyIdType: 'email' });
  });

  it('streams CSV rows by header name, ignoring unknown columns and a BOM', async () => {
    const rows = await collect('\ufeffInstruction ID,payee_functional_id,amount,currency,extra\nI1,F1,10.00,TZS,x\nI2,"F,2",3,TZS,y\n');
    expect(rows).toEqual([
      { instructionId: 'I1', functionalId: 'F1', amount: '10.00', currency: 'TZS' },
      { instructionId: 'I2', functionalId: 'F,2', amount: '3', currency: 'TZS' },
    ]);
  });

  it('refuses a CSV whose header lacks a required column, or whose rows are ragged', async () => {
    await expect(collect('id,amount\nI1,1\n')).rejects.toThrow(/header row must name/);
    await expect(collect('id,payee_functional_id,amount,currency\nI1,F1,1\n')).rejects.toThrow(/malformed/);
  });

  it('digests the bytes that pass through', async () => {
    const h = hashingStream();
    Readable.from([Buffer.from('abc')]).pipe(h.stream).resume();
    await new Promise((r) => h.stream.on('end', r));
    expect(h.digest()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
