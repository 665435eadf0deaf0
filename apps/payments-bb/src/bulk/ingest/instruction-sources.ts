import { createHash, Hash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { partyTypeOf, RawInstruction } from '../domain/instruction-input';

/** v1 CreditInstructions item. */
export function fromV1(item: unknown): RawInstruction {
  const i = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  return {
    instructionId: i.InstructionID,
    functionalId: i.PayeeFunctionalID,
    amount: i.Amount,
    currency: i.Currency,
    narration: i.Narration,
  };
}

const INSTITUTION_KEYS = ['institutioncode', 'bankcode', 'bankinginstitutioncode', 'dfspid', 'payeedfspid', 'bic'];

/**
 * v3 /batchtransactions item: the payee is a list of key/value pairs. A functional ID key sends the payee
 * through the account mapper; an address key (msisdn, accountNumber, iban, walletId, alias) pays that address.
 * debitParty is not used: the program decides who pays.
 */
export function fromV3(item: unknown): RawInstruction {
  const i = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const raw: RawInstruction = {
    instructionId: i.requestId,
    amount: i.amount,
    currency: i.currency,
    narration: i.descriptionText,
    paymentMode: i.paymentMode,
  };
  const party = Array.isArray(i.creditParty) ? (i.creditParty as { key?: unknown; value?: unknown }[]) : [];
  for (const p of party) {
    if (!p || typeof p.key !== 'string') continue;
    const key = p.key.toLowerCase();
    if (INSTITUTION_KEYS.includes(key)) raw.institutionCode = p.value;
    else if (partyTypeOf(key) === 'functional' && raw.functionalId === undefined) raw.functionalId = p.value;
    else if (partyTypeOf(key) && raw.partyIdType === undefined) {
      raw.partyIdType = p.key;
      raw.partyId = p.value;
    }
  }
  if (raw.functionalId === undefined && raw.partyIdType === undefined && party.length) {
    // Unknown key: kept so the row is refused naming it, rather than read as "no payee".
    raw.partyIdType = party[0]?.key;
    raw.partyId = party[0]?.value;
  }
  return raw;
}

/** CSV header names (lower-cased, spaces and dashes as underscores) and the field each one fills. */
const CSV_COLUMNS: Record<string, keyof RawInstruction> = {
  instruction_id: 'instructionId',
  instructionid: 'instructionId',
  request_id: 'instructionId',
  requestid: 'instructionId',
  id: 'instructionId',
  payee_functional_id: 'functionalId',
  payeefunctionalid: 'functionalId',
  functional_id: 'functionalId',
  payee_identifier_type: 'partyIdType',
  payee_identifier: 'partyId',
  amount: 'amount',
  currency: 'currency',
  narration: 'narration',
  note: 'narration',
  description: 'narration',
  payment_mode: 'paymentMode',
  paymentmode: 'paymentMode',
  institution_code: 'institutionCode',
  payee_fsp: 'institutionCode',
  bank_code: 'institutionCode',
};

export const CSV_REQUIRED = ['an instruction ID column (instruction_id)', 'amount', 'currency'];

const normalise = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** A SHA-256 of every byte that passes, so a streamed upload gets the same idempotency digest as a buffered one. */
export function hashingStream(): { stream: Transform; digest: () => string; hash: Hash } {
  const hash = createHash('sha256');
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  let value: string | undefined;
  return { stream, hash, digest: () => (value ??= hash.digest('hex')) };
}

/**
 * Reads CSV rows as instructions, streaming: header row first (names as in CSV_COLUMNS; unknown columns are
 * ignored), then one instruction per line. A malformed file (bad quoting, a line longer than 64 KB, a row with
 * the wrong number of cells, no header naming the required columns) throws and the ingest rolls back.
 */
export async function* csvInstructions(input: Readable): AsyncGenerator<RawInstruction> {
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        const names = header.map(normalise);
        const fields = names.map((n) => CSV_COLUMNS[n]);
        if (!fields.includes('instructionId') || !fields.includes('amount') || !fields.includes('currency'))
          throw new CsvFormatError(`The header row must name ${CSV_REQUIRED.join(', ')}; got: ${names.join(', ').slice(0, 200)}`);
        if (!fields.includes('functionalId') && !fields.includes('partyId'))
          throw new CsvFormatError('The header row must name payee_functional_id, or payee_identifier_type and payee_identifier');
        return names.map((n) => CSV_COLUMNS[n] ?? false);
      },
      skip_empty_lines: true,
      trim: true,
      max_record_size: 65_536,
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  try {
    for await (const record of parser as AsyncIterable<RawInstruction>) yield record;
  } catch (err) {
    if (err instanceof CsvFormatError) throw err;
    throw new CsvFormatError(`The CSV file is malformed: ${(err as Error).message.slice(0, 200)}`);
  }
}

export class CsvFormatError extends Error {}
