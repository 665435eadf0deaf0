import { Writable } from 'node:stream';
import {
  csvCell,
  REPORT_COLUMNS,
  reportChunks,
  ReportAborted,
  reportHeader,
  reportLine,
  writeChunks,
} from './batch-report';
import { InstructionRow } from './batch-views';

const row = (seq: number, over: Partial<InstructionRow> = {}): InstructionRow => ({
  seq,
  instruction_id: `I${seq}`,
  payee_functional_id: `FID${seq}`,
  amount: '1050',
  currency: 'TZS',
  modality: '01',
  institution_code: 'MPESA',
  state: 'completed',
  reason_code: null,
  reason: null,
  sub_batch_id: null,
  fsp_reference: null,
  duplicate_payee: false,
  finished_at: new Date('2025-01-01T10:30:00Z'),
  ...over,
});

/** A sink that takes `highWaterMark` bytes, then holds writes until the test lets them through. */
class SlowSink extends Writable {
  readonly chunks: string[] = [];
  private pending: (() => void)[] = [];
  constructor() {
    super({ highWaterMark: 16, decodeStrings: false });
  }
  _write(chunk: string, _enc: BufferEncoding, cb: (err?: Error) => void): void {
    this.chunks.push(chunk);
    this.pending.push(() => cb());
  }
  release(): void {
    const p = this.pending;
    this.pending = [];
    p.forEach((f) => f());
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('csvCell', () => {
  it('leaves plain text alone and writes null as empty', () => {
    expect(csvCell('I-1')).toBe('I-1');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+255700000001', "'+255700000001"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['\r=1', `"'\r=1"`],
  ])('neutralises formula-like %p', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('does not touch numeric cells', () => {
    expect(csvCell('-5.00', true)).toBe('-5.00');
    expect(csvCell('10.50', true)).toBe('10.50');
  });
});

describe('report lines', () => {
  it('has the documented header', () => {
    expect(reportHeader()).toBe(
      'instruction_id,payee_functional_id,amount,currency,status,iso_status,reason_code,reason,sub_batch_id,payee_fsp,fsp_reference,duplicate_payee,finished_at\r\n',
    );
    expect(REPORT_COLUMNS).toHaveLength(13);
  });

  it('writes a completed instruction with an exact amount', () => {
    expect(reportLine(row(1, { sub_batch_id: 'sb1', fsp_reference: 'R-1' }), 'TZS')).toBe(
      'I1,FID1,10.50,TZS,completed,ACSC,,,sb1,MPESA,R-1,false,2025-01-01T10:30:00.000Z',
    );
  });

  it('writes a rejected row: empty amount, reason quoted and neutralised', () => {
    const r = row(2, {
      instruction_id: '=cmd',
      amount: null,
      currency: null,
      state: 'invalid',
      reason_code: 'CH16',
      reason: '-bad, "really"',
      duplicate_payee: true,
      finished_at: null,
      institution_code: null,
    });
    expect(reportLine(r, 'TZS')).toBe(`'=cmd,FID2,,,invalid,RJCT,CH16,"'-bad, ""really""",,,,true,`);
  });

  it('keeps big amounts exact', () => {
    expect(reportLine(row(1, { amount: '900719925474099312' }), 'TZS').split(',')[2]).toBe(
      '9007199254740993.12',
    );
  });
});

describe('reportChunks', () => {
  it('reads keyset pages after the last seq until a short page', async () => {
    const asked: number[] = [];
    const pages: Record<number, InstructionRow[]> = { 2: [row(3), row(4)], 4: [row(5)] };
    const chunks: string[] = [];
    for await (const c of reportChunks(
      [row(1), row(2)],
      async (after) => (asked.push(after), pages[after] ?? []),
      'TZS',
      2,
    ))
      chunks.push(c);
    expect(asked).toEqual([2, 4]);
    expect(chunks).toHaveLength(3);
    expect(chunks[0].startsWith(reportHeader())).toBe(true);
    expect(chunks.join('').split('\r\n').filter(Boolean)).toHaveLength(6);
  });

  it('asks once more after a full last page, and writes nothing for the empty one', async () => {
    const asked: number[] = [];
    const chunks: string[] = [];
    for await (const c of reportChunks([row(1), row(2)], async (after) => (asked.push(after), []), 'TZS', 2))
      chunks.push(c);
    expect(asked).toEqual([2]);
    expect(chunks).toHaveLength(1);
  });

  it('is just the header for an empty batch', async () => {
    const chunks: string[] = [];
    for await (const c of reportChunks([], () => Promise.reject(new Error('not asked')), 'TZS', 2))
      chunks.push(c);
    expect(chunks).toEqual([reportHeader()]);
  });
});

describe('writeChunks', () => {
  it('waits for drain before taking the next chunk', async () => {
    const sink = new SlowSink();
    let produced = 0;
    async function* gen() {
      for (let i = 0; i < 5; i++) {
        produced++;
        yield 'x'.repeat(20);
      }
    }
    const done = writeChunks(sink, gen());
    await new Promise((r) => setImmediate(r));
    // The first 20-byte write already exceeds the 16-byte buffer: nothing more is read until it drains.
    expect(produced).toBe(1);
    for (let i = 0; i < 10 && produced < 5; i++) {
      sink.release();
      await new Promise((r) => setImmediate(r));
    }
    sink.release();
    await new Promise((r) => setImmediate(r));
    sink.release();
    await done;
    expect(produced).toBe(5);
    expect(sink.text).toBe('x'.repeat(100));
    expect(sink.writableEnded).toBe(true);
  });

  it('stops reading pages when the client goes away', async () => {
    const sink = new SlowSink();
    let produced = 0;
    let closed = false;
    async function* gen() {
      try {
        for (;;) {
          produced++;
          yield 'y'.repeat(20);
        }
      } finally {
        closed = true;
      }
    }
    const done = writeChunks(sink, gen());
    await new Promise((r) => setImmediate(r));
    sink.destroy();
    await expect(done).rejects.toBeInstanceOf(ReportAborted);
    expect(produced).toBe(1);
    expect(closed).toBe(true);
  });
});
