import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LedgerService, NewTransfer, Transfer, TransferInput, TransferResult } from '@app/ledger';
import { AppException, ErrorCode } from '@app/platform';
import { mayBelongToOneTransfer, TransferBatcher, Written } from './transfer-batcher';

const DR = randomUUID();
const CR = randomUUID();

/** A transaction of the fake: what it wrote reaches `committed` only if its callback succeeds. */
class FakeTx {
  staged: string[] = [];
}

/**
 * Stands in for LedgerService.createTransfers: all-or-nothing over one balance, like the real one; a call
 * can be held open to play a flush in flight; `committed` lists what was written, in order (transfer IDs,
 * and whatever afterWrite hooks wrote through the transaction).
 */
class FakeLedger {
  calls: string[][] = [];
  committed: string[] = [];
  transactions = 0;
  balance = 1_000n;
  failWith?: unknown;
  private held: (() => void)[] | undefined;

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    held.forEach((go) => go());
  }

  async createTransfers(m: unknown, tenantId: string, inputs: TransferInput[]): Promise<TransferResult[]> {
    this.calls.push(inputs.map((t) => t.id));
    if (this.held) await new Promise<void>((go) => this.held!.push(go));
    else await Promise.resolve();
    if (this.failWith) throw this.failWith;
    const bad = inputs.find((t) => t.code === 'invalid');
    if (bad) throw new AppException(ErrorCode.LEDGER_INVALID_TRANSFER, `invalid ${bad.id}`);
    const total = inputs.reduce((s, t) => s + (t.amount ?? 0n), 0n);
    if (total > this.balance)
      throw new AppException(ErrorCode.LEDGER_EXCEEDS_CREDITS, `exceeds by ${total - this.balance}`);
    this.balance -= total;
    (m instanceof FakeTx ? m.staged : this.committed).push(...inputs.map((t) => t.id));
    return inputs.map((t) => ({
      transfer: { id: t.id, tenantId, amount: t.amount } as Transfer,
      created: true,
    }));
  }

  /** DataSource.transaction: commits what the callback staged, or drops it (and the balance it took). */
  async transaction<T>(fn: (m: FakeTx) => Promise<T>): Promise<T> {
    this.transactions++;
    const tx = new FakeTx();
    const balance = this.balance;
    try {
      const result = await fn(tx);
      this.committed.push(...tx.staged);
      return result;
    } catch (err) {
      this.balance = balance;
      throw err;
    }
  }
}

const transfer = (amount: bigint, over: Partial<NewTransfer> = {}): NewTransfer => ({
  id: randomUUID(),
  kind: 'posted',
  debitAccountId: DR,
  creditAccountId: CR,
  amount,
  currency: 'USD',
  code: 'test',
  ...over,
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('TransferBatcher', () => {
  let fake: FakeLedger;
  let batcher: TransferBatcher;

  beforeEach(() => {
    fake = new FakeLedger();
    batcher = new TransferBatcher(fake as unknown as LedgerService, fake as unknown as DataSource);
  });

  it('writes a transfer at once when nothing is in flight', async () => {
    const t = transfer(1n);
    const result = batcher.submit('tn', t);
    expect(fake.calls).toEqual([[t.id]]); // called synchronously: no added latency
    await expect(result).resolves.toMatchObject({ transfer: { id: t.id }, created: true });
    expect(fake.transactions).toBe(0); // the ledger's own transaction, no outer one
  });

  it('coalesces what arrives during a flush into the next one, in submission order', async () => {
    fake.hold();
    const ts = [1n, 2n, 3n, 4n, 5n].map((a) => transfer(a));
    const results = ts.map((t) => batcher.submit('tn', t));
    expect(fake.calls).toEqual([[ts[0].id]]);
    fake.release();
    const answered = await Promise.all(results);
    expect(fake.calls).toEqual([[ts[0].id], ts.slice(1).map((t) => t.id)]);
    answered.forEach((r, i) => expect(r.transfer.id).toBe(ts[i].id));
    expect(fake.committed).toEqual(ts.map((t) => t.id));
  });

  it('keeps tenants apart: one tenant in flight does not hold another back', async () => {
    fake.hold();
    const a = batcher.submit('tn-a', transfer(1n));
    const b = batcher.submit('tn-b', transfer(1n));
    expect(fake.calls).toHaveLength(2);
    fake.release();
    await Promise.all([a, b]);
  });

  it('caps a flush at maxBatch', async () => {
    batcher.maxBatch = 3;
    fake.hold();
    const results = Array.from({ length: 8 }, () => batcher.submit('tn', transfer(1n)));
    fake.release();
    await Promise.all(results);
    expect(fake.calls.map((c) => c.length)).toEqual([1, 3, 3, 1]);
  });

  it('isolates a refused transfer: the others are written once, the culprit gets its own error', async () => {
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const ts = Array.from({ length: 40 }, (_, i) => transfer(1n, i === 17 ? { code: 'invalid' } : {}));
    const results = ts.map((t) => settle(batcher.submit('tn', t)));
    fake.release();
    await first;
    const outcomes = await Promise.all(results);
    outcomes.forEach((o, i) => {
      if (i === 17) {
        expect(o.ok).toBe(false);
        expect((o as { error: AppException }).error.message).toBe(`invalid ${ts[17].id}`);
      } else {
        expect(o).toMatchObject({ ok: true, value: { transfer: { id: ts[i].id } } });
      }
    });
    const written = ts.filter((_, i) => i !== 17).map((t) => t.id);
    expect(fake.committed.slice(1)).toEqual(written); // in order, each exactly once
    expect(fake.calls.length).toBeLessThan(20); // halved, not 40 retries
  });

  it('gives each caller its own refusal when several fail for different reasons', async () => {
    fake.balance = 10n;
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const ok = transfer(4n);
    const big = transfer(100n);
    const invalid = transfer(1n, { code: 'invalid' });
    const fits = transfer(5n);
    const tooMuch = transfer(1n); // 1 + 4 + 5 spent 10: nothing left
    const results = [ok, big, invalid, fits, tooMuch].map((t) => settle(batcher.submit('tn', t)));
    fake.release();
    await first;
    const [rOk, rBig, rInvalid, rFits, rTooMuch] = await Promise.all(results);
    expect(rOk.ok && rFits.ok).toBe(true);
    expect(rBig).toMatchObject({ ok: false, error: { code: ErrorCode.LEDGER_EXCEEDS_CREDITS } });
    expect(rInvalid).toMatchObject({ ok: false, error: { code: ErrorCode.LEDGER_INVALID_TRANSFER } });
    expect(rTooMuch).toMatchObject({ ok: false, error: { code: ErrorCode.LEDGER_EXCEEDS_CREDITS } });
    expect(fake.committed).toEqual([expect.any(String), ok.id, fits.id]);
    expect(fake.balance).toBe(0n);
  });

  it('fails the whole group once on a database outage instead of retrying every transfer', async () => {
    fake.hold();
    const first = settle(batcher.submit('tn', transfer(1n)));
    const results = Array.from({ length: 10 }, () => settle(batcher.submit('tn', transfer(1n))));
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {});
    fake.failWith = outage;
    fake.release();
    await first;
    const outcomes = await Promise.all(results);
    outcomes.forEach((o) => expect(o).toEqual({ ok: false, error: outage }));
    expect(fake.calls.map((c) => c.length)).toEqual([1, 10]);
  });

  it('puts a repeated ID, or a resolution of a pending transfer of the same flush, into the next flush', async () => {
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const a = transfer(1n);
    const pending = transfer(2n, { kind: 'pending' });
    const post: TransferInput = {
      id: randomUUID(),
      kind: 'post_pending',
      pendingId: pending.id,
      code: 'post',
    };
    const results = [a, a, pending, post].map((t) => batcher.submit('tn', t));
    fake.release();
    await Promise.all([first, ...results]);
    expect(fake.calls.slice(1)).toEqual([[a.id], [a.id, pending.id], [post.id]]);
  });

  it('drains: resolves once every queued transfer is answered', async () => {
    fake.hold();
    const results = Array.from({ length: 5 }, () => batcher.submit('tn', transfer(1n)));
    const drained = batcher.drain();
    fake.release();
    await drained;
    expect(fake.committed).toHaveLength(5);
    await Promise.all(results);
  });

  it("runs each caller's afterWrite in the flush's transaction, with that caller's result", async () => {
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const ts = Array.from({ length: 4 }, () => transfer(1n));
    const seen: string[] = [];
    const results = ts.map((t) =>
      batcher.submit('tn', t, async (m, written) => {
        expect(written).toHaveLength(1);
        seen.push(written[0].result.transfer.id);
        (m as unknown as FakeTx).staged.push(`audit:${written[0].result.transfer.id}`);
      }),
    );
    fake.release();
    await Promise.all([first, ...results]);
    expect(seen).toEqual(ts.map((t) => t.id));
    expect(fake.transactions).toBe(1);
    expect(fake.committed.slice(1)).toEqual([...ts.map((t) => t.id), ...ts.map((t) => `audit:${t.id}`)]);
  });

  it('isolates a failing afterWrite: that transfer is rolled back and refused, the others commit once', async () => {
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const ts = Array.from({ length: 12 }, () => transfer(1n));
    const boom = new AppException(ErrorCode.CONFLICT, 'audit refused');
    const results = ts.map((t, i) =>
      settle(
        batcher.submit('tn', t, async (m, [w]) => {
          if (i === 5) throw boom;
          (m as unknown as FakeTx).staged.push(`audit:${w.result.transfer.id}`);
        }),
      ),
    );
    fake.release();
    await first;
    const outcomes = await Promise.all(results);
    outcomes.forEach((o, i) => expect(o.ok).toBe(i !== 5));
    expect(outcomes[5]).toEqual({ ok: false, error: boom });
    const kept = ts.filter((_, i) => i !== 5);
    expect(fake.committed.filter((c) => c.startsWith('audit:'))).toEqual(kept.map((t) => `audit:${t.id}`));
    expect(fake.committed.filter((c) => !c.startsWith('audit:')).slice(1)).toEqual(kept.map((t) => t.id));
    expect(fake.balance).toBe(1_000n - 12n);
  });

  it("calls a shared afterWrite once per flush with every caller's transfer and context, in order", async () => {
    const calls: { id: string; caller: string }[][] = [];
    const audit = async (m: unknown, written: Written<string>[]) => {
      calls.push(written.map((w) => ({ id: w.result.transfer.id, caller: w.context })));
      (m as FakeTx).staged.push(...written.map((w) => `audit:${w.context}`));
    };
    fake.hold();
    const first = batcher.submit('tn', transfer(1n), audit, 'c0');
    const ts = Array.from({ length: 6 }, () => transfer(1n));
    const results = ts.map((t, i) => batcher.submit('tn', t, audit, `c${i + 1}`));
    fake.release();
    await Promise.all([first, ...results]);
    expect(calls).toEqual([
      [{ id: expect.any(String), caller: 'c0' }],
      ts.map((t, i) => ({ id: t.id, caller: `c${i + 1}` })),
    ]);
    expect(fake.committed.filter((c) => c.startsWith('audit:'))).toEqual(
      ['c0', ...ts.map((_, i) => `c${i + 1}`)].map((c) => `audit:${c}`),
    );
  });

  it('finds the one caller a shared afterWrite refuses, and commits the rest with one call per part', async () => {
    const audit = async (m: unknown, written: Written<number>[]) => {
      if (written.some((w) => w.context === 13))
        throw new AppException(ErrorCode.CONFLICT, 'caller 13 refused');
      (m as FakeTx).staged.push(...written.map((w) => `audit:${w.context}`));
    };
    fake.hold();
    const first = batcher.submit('tn', transfer(1n));
    const results = Array.from({ length: 30 }, (_, i) =>
      settle(batcher.submit('tn', transfer(1n), audit, i)),
    );
    fake.release();
    await first;
    const outcomes = await Promise.all(results);
    outcomes.forEach((o, i) => expect([i, o.ok]).toEqual([i, i !== 13]));
    const audited = fake.committed.filter((c) => c.startsWith('audit:'));
    expect(audited).toEqual(
      Array.from({ length: 30 }, (_, i) => i)
        .filter((i) => i !== 13)
        .map((i) => `audit:${i}`),
    );
  });

  it('tells transfer refusals from infrastructure failures', () => {
    expect(mayBelongToOneTransfer(new AppException(ErrorCode.LEDGER_EXCEEDS_CREDITS, 'x'))).toBe(true);
    expect(mayBelongToOneTransfer(Object.assign(new Error('out of range'), { code: '22003' }))).toBe(true);
    expect(mayBelongToOneTransfer(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(true);
    expect(mayBelongToOneTransfer(Object.assign(new Error('admin shutdown'), { code: '57P01' }))).toBe(false);
    expect(mayBelongToOneTransfer(Object.assign(new Error('conn'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(mayBelongToOneTransfer(new Error('timeout exceeded when trying to connect'))).toBe(false);
  });
});
