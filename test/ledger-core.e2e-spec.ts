import { randomUUID } from 'node:crypto';
import { AppException } from '@app/platform';
import { Account, LedgerService } from '@app/ledger';
import { createTenant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

describe('Ledger core (LedgerService against PostgreSQL)', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let tenantId: string;
  let treasury: Account;
  let program: Account;
  let clearing: Account;

  beforeAll(async () => {
    t = await createTestApp({ LEDGER_SWEEP_INTERVAL_MS: '200' });
    ledger = t.app.get(LedgerService);
    tenantId = await createTenant(t.ds);
    treasury = await ledger.createAccount(undefined, tenantId, {
      code: 'treasury:USD',
      name: 'Treasury',
      currency: 'USD',
      kind: 'external',
    });
    program = await ledger.createAccount(undefined, tenantId, {
      code: 'program:cash-transfer:USD',
      name: 'Cash transfer programme',
      currency: 'USD',
      kind: 'program_funding',
      debitsMustNotExceedCredits: true,
    });
    clearing = await ledger.createAccount(undefined, tenantId, {
      code: 'clearing:USD',
      name: 'Clearing',
      currency: 'USD',
      kind: 'disbursement_clearing',
    });
    await ledger.createTransfers(undefined, tenantId, [
      {
        id: randomUUID(),
        kind: 'posted',
        debitAccountId: treasury.id,
        creditAccountId: program.id,
        amount: 100_000n,
        currency: 'USD',
        code: 'funding',
      },
    ]);
  });
  afterAll(() => t.close());

  const balance = async (a: Account) => (await ledger.getAccounts(tenantId, [a.id]))[0];
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return (e as AppException).code;
    }
    return 'no error';
  };
  const pay = (amount: bigint, id = randomUUID()) => ({
    id,
    kind: 'posted' as const,
    debitAccountId: program.id,
    creditAccountId: clearing.id,
    amount,
    currency: 'USD',
    code: 'payout',
  });

  it('posts, and refuses a debit beyond the credits of a limited account, changing nothing', async () => {
    const before = await balance(program);
    await ledger.createTransfers(undefined, tenantId, [pay(1_000n)]);
    expect((await balance(program)).debitsPosted).toBe(before.debitsPosted + 1_000n);
    expect(await codeOf(ledger.createTransfers(undefined, tenantId, [pay(10_000_000n)]))).toBe(
      'LEDGER_EXCEEDS_CREDITS',
    );
    expect((await balance(program)).debitsPosted).toBe(before.debitsPosted + 1_000n);
  });

  it('treats a list as linked: one refusal undoes the rest', async () => {
    const before = await balance(program);
    const ok = pay(10n);
    expect(await codeOf(ledger.createTransfers(undefined, tenantId, [ok, pay(10_000_000n)]))).toBe(
      'LEDGER_EXCEEDS_CREDITS',
    );
    expect(await ledger.getTransfers(tenantId, [ok.id])).toEqual([]);
    expect(await balance(program)).toEqual(before);
  });

  it('returns an identical replay without moving money, and names the field of a different one', async () => {
    const tr = pay(5n);
    const [first] = await ledger.createTransfers(undefined, tenantId, [tr]);
    const after = await balance(program);
    const [again] = await ledger.createTransfers(undefined, tenantId, [tr]);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.transfer).toEqual(first.transfer);
    expect(await balance(program)).toEqual(after);
    await expect(ledger.createTransfers(undefined, tenantId, [{ ...tr, amount: 6n }])).rejects.toThrow(
      /different amount/,
    );
  });

  it('reserves, posts part of a reservation, and refuses a second post or a void after it', async () => {
    const before = await balance(program);
    const pendingId = randomUUID();
    await ledger.createTransfers(undefined, tenantId, [
      { ...pay(700n, pendingId), kind: 'pending', timeoutSeconds: 60 },
    ]);
    expect((await balance(program)).debitsPending).toBe(before.debitsPending + 700n);
    await ledger.createTransfers(undefined, tenantId, [
      { id: randomUUID(), kind: 'post_pending', pendingId, amount: 500n, code: 'payout.settled' },
    ]);
    const after = await balance(program);
    expect(after.debitsPending).toBe(before.debitsPending);
    expect(after.debitsPosted).toBe(before.debitsPosted + 500n);
    expect(
      await codeOf(
        ledger.createTransfers(undefined, tenantId, [
          { id: randomUUID(), kind: 'post_pending', pendingId, code: 'x' },
        ]),
      ),
    ).toBe('LEDGER_PENDING_ALREADY_POSTED');
    expect(
      await codeOf(
        ledger.createTransfers(undefined, tenantId, [
          { id: randomUUID(), kind: 'void_pending', pendingId, code: 'x' },
        ]),
      ),
    ).toBe('LEDGER_PENDING_ALREADY_POSTED');
  });

  it('lets only one of two concurrent posts of a reservation through', async () => {
    const pendingId = randomUUID();
    await ledger.createTransfers(undefined, tenantId, [{ ...pay(300n, pendingId), kind: 'pending' }]);
    const results = await Promise.allSettled([
      ledger.createTransfers(undefined, tenantId, [
        { id: randomUUID(), kind: 'post_pending', pendingId, code: 'a' },
      ]),
      ledger.createTransfers(undefined, tenantId, [
        { id: randomUUID(), kind: 'void_pending', pendingId, code: 'b' },
      ]),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('expires a reservation after its timeout: posting is refused and the sweeper releases the funds', async () => {
    const before = await balance(program);
    const pendingId = randomUUID();
    await ledger.createTransfers(undefined, tenantId, [
      { ...pay(400n, pendingId), kind: 'pending', timeoutSeconds: 1 },
    ]);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(
      await codeOf(
        ledger.createTransfers(undefined, tenantId, [
          { id: randomUUID(), kind: 'post_pending', pendingId, code: 'late' },
        ]),
      ),
    ).toBe('LEDGER_PENDING_EXPIRED');
    const deadline = Date.now() + 5_000;
    while ((await balance(program)).debitsPending !== before.debitsPending && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect((await balance(program)).debitsPending).toBe(before.debitsPending);
  });

  it('refuses accounts of another currency or tenant', async () => {
    const eur = await ledger.createAccount(undefined, tenantId, {
      code: 'clearing:EUR',
      name: 'EUR',
      currency: 'EUR',
      kind: 'disbursement_clearing',
    });
    expect(
      await codeOf(ledger.createTransfers(undefined, tenantId, [{ ...pay(1n), creditAccountId: eur.id }])),
    ).toBe('LEDGER_CURRENCY_MISMATCH');
    const other = await createTenant(t.ds);
    expect(await codeOf(ledger.createTransfers(undefined, other, [pay(1n)]))).toBe(
      'LEDGER_ACCOUNT_NOT_FOUND',
    );
  });

  it('keeps a caller transaction usable after a refusal (savepoint) and commits business rows with entries', async () => {
    const ok = pay(1n);
    await t.ds.transaction(async (m) => {
      await expect(ledger.createTransfers(m, tenantId, [pay(10_000_000n)])).rejects.toThrow();
      await ledger.createTransfers(m, tenantId, [ok]);
    });
    expect(await ledger.getTransfers(tenantId, [ok.id])).toHaveLength(1);
  });

  it('never lets an account be deleted or change tenant or currency (transfers rely on it)', async () => {
    await expect(t.ds.query(`DELETE FROM ledger_accounts WHERE id = $1`, [clearing.id])).rejects.toThrow(
      /refused/,
    );
    await expect(
      t.ds.query(`UPDATE ledger_accounts SET currency = 'EUR' WHERE id = $1`, [clearing.id]),
    ).rejects.toThrow(/refused/);
    await expect(
      t.ds.query(`UPDATE ledger_accounts SET tenant_id = 'other' WHERE id = $1`, [clearing.id]),
    ).rejects.toThrow(/refused/);
  });

  it('refuses UPDATE and DELETE of a transfer at the database level', async () => {
    const tr = pay(2n);
    await ledger.createTransfers(undefined, tenantId, [tr]);
    await expect(t.ds.query(`UPDATE ledger_transfers SET amount = 1 WHERE id = $1`, [tr.id])).rejects.toThrow(
      /immutable/,
    );
    await expect(t.ds.query(`DELETE FROM ledger_transfers WHERE id = $1`, [tr.id])).rejects.toThrow(
      /immutable/,
    );
  });
});
