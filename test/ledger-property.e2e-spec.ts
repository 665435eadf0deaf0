import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Account, LedgerService, NewAccount, Transfer, TransferInput, TransferResult } from '@app/ledger';
import { PendingExpirySweeper } from '@app/ledger/pending-expiry.sweeper';
import { AppException, AuditService, ErrorCode } from '@app/platform';
import { AfterWrite, TransferBatcher } from '../apps/payments-bb/src/ledger-api/transfer-batcher';
import { createTenant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Random sequences of concurrent ledger operations on a few hot accounts (fast-check, fixed seed), then
 * every reconciliation invariant checked in SQL. Each operation is its own createTransfers call (or a
 * submission to the TransferBatcher), fired in groups with Promise.allSettled.
 */

// Account slots of a run: 0 treasury (no limit), 1-2 programmes (debits within credits),
// 3 liability (credits within debits), 4 clearing (no limit).
const SLOTS: NewAccount[] = [
  { code: 'treasury:USD', name: 'Treasury', currency: 'USD', kind: 'external' },
  {
    code: 'program:a:USD',
    name: 'Programme A',
    currency: 'USD',
    kind: 'program_funding',
    debitsMustNotExceedCredits: true,
  },
  {
    code: 'program:b:USD',
    name: 'Programme B',
    currency: 'USD',
    kind: 'program_funding',
    debitsMustNotExceedCredits: true,
  },
  {
    code: 'liability:USD',
    name: 'Liability',
    currency: 'USD',
    kind: 'voucher_liability',
    creditsMustNotExceedDebits: true,
  },
  { code: 'clearing:USD', name: 'Clearing', currency: 'USD', kind: 'disbursement_clearing' },
];
const FUNDING: [number, number, bigint][] = [
  [0, 1, 100_000n],
  [0, 2, 60_000n],
  [3, 0, 80_000n],
];

/** Own createTransfers call; the batcher alone; the batcher with an audit row written in its flush. */
type Via = 'direct' | 'batcher' | 'batcher+audit';
interface Leg {
  dr: number;
  cr: number;
  amount: bigint;
  pending: boolean;
  timeout?: number;
}
type Invalid = 'overdraw' | 'sameAccount' | 'unknownAccount' | 'ghostPending';
type Op =
  | { t: 'transfer'; leg: Leg; via: Via }
  | { t: 'post'; ref: number; percent: number; via: Via }
  | { t: 'void'; ref: number; via: Via }
  | { t: 'replay'; ref: number; via: Via }
  | { t: 'replayDifferent'; ref: number; via: Via }
  | { t: 'linked'; legs: Leg[]; invalid?: { at: number; how: Invalid } }
  | { t: 'sweep' };
interface Group {
  pauseFirst: boolean;
  ops: Op[];
}

const via = fc.constantFrom<Via>('direct', 'batcher', 'batcher+audit');
const amount = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt(1n, 2_000n) },
  { weight: 3, arbitrary: fc.bigInt(2_000n, 30_000n) },
  { weight: 1, arbitrary: fc.bigInt(30_000n, 120_000n) },
);
const leg: fc.Arbitrary<Leg> = fc
  .record({
    dr: fc.integer({ min: 0, max: 4 }),
    offset: fc.integer({ min: 1, max: 4 }),
    amount,
    pending: fc.boolean(),
    timeout: fc.constantFrom(undefined, undefined, 1, 3600),
  })
  .map(({ dr, offset, amount, pending, timeout }) => ({
    dr,
    cr: (dr + offset) % 5,
    amount,
    pending,
    timeout: pending ? timeout : undefined,
  }));
const ref = fc.nat(1_000);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('transfer' as const), leg, via }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('post' as const),
      ref,
      percent: fc.constantFrom(100, 100, 50, 1),
      via,
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('void' as const), ref, via }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replay' as const), ref, via }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replayDifferent' as const), ref, via }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        t: fc.constant('linked' as const),
        legs: fc.array(leg, { minLength: 2, maxLength: 4 }),
        invalid: fc.record({
          at: fc.nat(3),
          how: fc.constantFrom<Invalid>('overdraw', 'sameAccount', 'unknownAccount', 'ghostPending'),
        }),
      },
      { requiredKeys: ['t', 'legs'] },
    ),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'sweep' as const }) },
);
const plan = fc.array(
  fc.record({
    pauseFirst: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    ops: fc.array(op, { minLength: 10, maxLength: 30 }),
  }),
  { minLength: 3, maxLength: 6 },
);

const AUDIT_ACTION = 'ledger.property.transfer';
const LIMIT_CODES = [ErrorCode.LEDGER_EXCEEDS_CREDITS, ErrorCode.LEDGER_EXCEEDS_DEBITS];
const RESOLVED_CODES = [
  ErrorCode.LEDGER_PENDING_ALREADY_POSTED,
  ErrorCode.LEDGER_PENDING_ALREADY_VOIDED,
  ErrorCode.LEDGER_PENDING_EXPIRED,
];
const INVALID_CODES: Record<Invalid, ErrorCode[]> = {
  overdraw: LIMIT_CODES,
  sameAccount: [ErrorCode.LEDGER_INVALID_TRANSFER],
  unknownAccount: [ErrorCode.LEDGER_ACCOUNT_NOT_FOUND],
  ghostPending: [ErrorCode.LEDGER_PENDING_NOT_FOUND],
};

const codeOf = (e: unknown): string =>
  e instanceof AppException ? e.code : String((e as { code?: unknown }).code ?? 'no code');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one run did: every transfer it created, and everything that went against expectations. */
class Run {
  readonly created = new Map<string, { input: TransferInput; transfer: Transfer }>();
  readonly pendings: string[] = [];
  /** Created before the group now running: the only targets of resolutions and replays. */
  settled: string[] = [];
  settledPendings: string[] = [];
  readonly linked: { ids: string[]; ok: boolean }[] = [];
  /** Transfers created through the batcher with an afterWrite audit row. */
  readonly audited = new Set<string>();
  readonly problems: string[] = [];
  readonly stats: Record<string, number> = {};

  constructor(
    readonly tenantId: string,
    readonly accounts: Account[],
  ) {}

  count(what: string): void {
    this.stats[what] = (this.stats[what] ?? 0) + 1;
  }

  record(input: TransferInput, r: TransferResult, what: string): void {
    if (!r.created || r.transfer.id !== input.id)
      this.problems.push(`${what} ${input.id}: expected a new transfer, got created=${r.created}`);
    this.created.set(input.id, { input, transfer: r.transfer });
    if (input.kind === 'pending') this.pendings.push(input.id);
  }

  refused(what: string, err: unknown, allowed: string[]): void {
    const code = codeOf(err);
    if (code === '40P01') this.count('deadlocks');
    if (!allowed.includes(code))
      this.problems.push(`${what} refused with ${code}: ${(err as Error).message}`);
  }

  endGroup(): void {
    this.settled = [...this.created.keys()];
    this.settledPendings = [...this.pendings];
  }
}

const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

describe('Ledger properties under concurrency (fast-check, real PostgreSQL)', () => {
  let t: TestApp;
  let ds: DataSource;
  let ledger: LedgerService;
  let batcher: TransferBatcher;
  let sweeper: PendingExpirySweeper;
  let audit: AuditService;
  const totals: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ LEDGER_SWEEP_INTERVAL_MS: '300', DATABASE_POOL_SIZE: '16' });
    ds = t.ds;
    ledger = t.app.get(LedgerService);
    sweeper = t.app.get(PendingExpirySweeper, { strict: false });
    batcher = new TransferBatcher(ledger, ds);
    audit = t.app.get(AuditService, { strict: false });
  });
  afterAll(async () => {
    await batcher.drain();
    await t.close();
  });

  /** One audit row per new transfer, for every caller of the flush in one statement: what a set-wise audit would do. */
  const auditRows: AfterWrite<string> = async (m, written) => {
    const created = written.filter((w) => w.result.created);
    if (!created.length) return;
    const [{ result, context }] = created;
    await audit.recordBatch(
      m,
      {
        tenantId: result.transfer.tenantId,
        actor: { id: context, kind: 'operator' },
        action: AUDIT_ACTION,
        objectType: 'ledger_transfer',
      },
      created.map((w) => ({ objectId: w.result.transfer.id })),
    );
  };

  /** Sends one transfer; through the batcher with audit, a created transfer gets its audit row in the flush. */
  const send = async (v: Via, tenantId: string, input: TransferInput, run?: Run): Promise<TransferResult> => {
    if (v === 'direct') return (await ledger.createTransfers(undefined, tenantId, [input]))[0];
    if (v === 'batcher') return batcher.submit(tenantId, input);
    const r = await batcher.submit(tenantId, input, auditRows, 'property-test');
    if (r.created) run?.audited.add(r.transfer.id);
    return r;
  };

  async function newRun(): Promise<Run> {
    const tenantId = await createTenant(ds);
    const accounts: Account[] = [];
    for (const a of SLOTS) accounts.push(await ledger.createAccount(undefined, tenantId, a));
    const run = new Run(tenantId, accounts);
    const inputs: TransferInput[] = FUNDING.map(([dr, cr, amt]) => ({
      id: randomUUID(),
      kind: 'posted',
      debitAccountId: accounts[dr].id,
      creditAccountId: accounts[cr].id,
      amount: amt,
      currency: 'USD',
      code: 'funding',
    }));
    const results = await ledger.createTransfers(undefined, tenantId, inputs);
    inputs.forEach((input, i) => run.record(input, results[i], 'funding'));
    run.endGroup();
    return run;
  }

  function legInput(run: Run, l: Leg, code: string): TransferInput {
    return {
      id: randomUUID(),
      kind: l.pending ? 'pending' : 'posted',
      debitAccountId: run.accounts[l.dr].id,
      creditAccountId: run.accounts[l.cr].id,
      amount: l.amount,
      currency: 'USD',
      code,
      ...(l.pending && l.timeout ? { timeoutSeconds: l.timeout } : {}),
    };
  }

  /** One operation, its references resolved against earlier groups; never throws, records problems instead. */
  function operation(run: Run, o: Op): (() => Promise<unknown>) | undefined {
    const tn = run.tenantId;
    switch (o.t) {
      case 'transfer': {
        const input = legInput(run, o.leg, o.leg.pending ? 'reserve' : 'pay');
        return () =>
          send(o.via, tn, input, run).then(
            (r) => {
              run.record(input, r, input.kind);
              run.count(`${input.kind} ok`);
            },
            (e) => {
              run.refused(input.kind, e, LIMIT_CODES);
              run.count(`${input.kind} refused`);
            },
          );
      }
      case 'post':
      case 'void': {
        const pendingId = pick(run.settledPendings, o.ref);
        if (!pendingId) return undefined;
        const reserved = run.created.get(pendingId)!.transfer.amount;
        const input: TransferInput =
          o.t === 'void'
            ? { id: randomUUID(), kind: 'void_pending', pendingId, code: 'void' }
            : {
                id: randomUUID(),
                kind: 'post_pending',
                pendingId,
                code: 'post',
                ...(o.percent < 100 ? { amount: (reserved * BigInt(o.percent)) / 100n || 1n } : {}),
              };
        return () =>
          send(o.via, tn, input, run).then(
            (r) => {
              run.record(input, r, o.t);
              run.count(`${o.t} ok`);
            },
            (e) => {
              run.refused(o.t, e, RESOLVED_CODES);
              run.count(`${o.t} refused`);
            },
          );
      }
      case 'replay': {
        const id = pick(run.settled, o.ref)!;
        const original = run.created.get(id)!;
        return () =>
          send(o.via, tn, original.input, run).then(
            (r) => {
              run.count('replay ok');
              if (r.created) run.problems.push(`replay of ${id} reported created=true`);
              if (!equalTransfers(r.transfer, original.transfer))
                run.problems.push(`replay of ${id} returned a different transfer`);
            },
            (e) => run.refused('replay', e, []),
          );
      }
      case 'replayDifferent': {
        const id = pick(run.settled, o.ref)!;
        const { input } = run.created.get(id)!;
        const changed: TransferInput =
          input.kind === 'posted' || input.kind === 'pending'
            ? { ...input, amount: input.amount + 1n }
            : { ...input, code: `${input.code}.x` };
        return () =>
          send(o.via, tn, changed, run).then(
            () => run.problems.push(`replay of ${id} with a different field was accepted`),
            (e) => {
              run.refused('replayDifferent', e, [ErrorCode.LEDGER_TRANSFER_EXISTS_WITH_DIFFERENT_FIELD]);
              run.count('replayDifferent refused');
            },
          );
      }
      case 'linked': {
        const inputs = o.legs.map((l) => legInput(run, l, 'linked'));
        const invalid = o.invalid && { ...o.invalid, at: o.invalid.at % inputs.length };
        if (invalid) inputs[invalid.at] = spoil(run, inputs[invalid.at], invalid.how);
        const ids = inputs.map((i) => i.id);
        return () =>
          ledger.createTransfers(undefined, tn, inputs).then(
            (rs) => {
              if (invalid) run.problems.push(`linked list with ${invalid.how} was accepted`);
              inputs.forEach((input, i) => run.record(input, rs[i], 'linked'));
              run.linked.push({ ids, ok: true });
              run.count('linked ok');
            },
            (e) => {
              run.refused(
                `linked (${invalid?.how ?? 'valid'})`,
                e,
                invalid ? INVALID_CODES[invalid.how] : LIMIT_CODES,
              );
              run.linked.push({ ids, ok: false });
              run.count(invalid ? 'linked invalid refused' : 'linked refused');
            },
          );
      }
      case 'sweep':
        return () => sweeper.sweep().then((n) => void (n && run.count('swept')));
    }
  }

  function spoil(run: Run, input: TransferInput, how: Invalid): TransferInput {
    if (input.kind !== 'posted' && input.kind !== 'pending') return input;
    switch (how) {
      case 'overdraw':
        return {
          ...input,
          debitAccountId: run.accounts[1].id,
          creditAccountId: run.accounts[4].id,
          amount: 10n ** 12n,
        };
      case 'sameAccount':
        return { ...input, creditAccountId: input.debitAccountId };
      case 'unknownAccount':
        return { ...input, debitAccountId: randomUUID() };
      case 'ghostPending':
        return { id: input.id, kind: 'post_pending', pendingId: randomUUID(), code: 'ghost' };
    }
  }

  async function expectSumsZero(tenantId: string): Promise<void> {
    const rows = (await ds.query(
      `SELECT currency, sum(credits_posted - debits_posted)::text AS posted, sum(credits_pending - debits_pending)::text AS pending
       FROM ledger_accounts WHERE tenant_id = $1 GROUP BY currency`,
      [tenantId],
    )) as { currency: string; posted: string; pending: string }[];
    expect(rows).toEqual([{ currency: 'USD', posted: '0', pending: '0' }]);
  }

  /** Every invariant, each in one statement so it reads one consistent snapshot. */
  async function expectInvariants(run: Run): Promise<void> {
    const tn = run.tenantId;
    await expectSumsZero(tn);
    const [{ beyond }] = (await ds.query(
      `SELECT count(*)::int AS beyond FROM ledger_accounts WHERE tenant_id = $1 AND (
         (debits_must_not_exceed_credits AND debits_pending + debits_posted > credits_posted) OR
         (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted))`,
      [tn],
    )) as { beyond: number }[];
    expect(beyond).toBe(0);

    const balances = (await ds.query(
      `WITH t AS (SELECT * FROM ledger_transfers WHERE tenant_id = $1),
            open AS (SELECT p.* FROM t p WHERE p.kind = 'pending' AND NOT EXISTS (SELECT 1 FROM t r WHERE r.pending_id = p.id)),
            moved AS (SELECT * FROM t WHERE kind IN ('posted', 'post_pending'))
       SELECT a.code,
              a.debits_pending::text AS dp, (SELECT coalesce(sum(amount), 0) FROM open WHERE debit_account_id = a.id)::text AS want_dp,
              a.credits_pending::text AS cp, (SELECT coalesce(sum(amount), 0) FROM open WHERE credit_account_id = a.id)::text AS want_cp,
              a.debits_posted::text AS dpo, (SELECT coalesce(sum(amount), 0) FROM moved WHERE debit_account_id = a.id)::text AS want_dpo,
              a.credits_posted::text AS cpo, (SELECT coalesce(sum(amount), 0) FROM moved WHERE credit_account_id = a.id)::text AS want_cpo
       FROM ledger_accounts a WHERE a.tenant_id = $1 ORDER BY a.code`,
      [tn],
    )) as Record<string, string>[];
    for (const b of balances) {
      expect({ code: b.code, dp: b.dp, cp: b.cp, dpo: b.dpo, cpo: b.cpo }).toEqual({
        code: b.code,
        dp: b.want_dp,
        cp: b.want_cp,
        dpo: b.want_dpo,
        cpo: b.want_cpo,
      });
    }

    // Exactly the transfers that were reported created exist (the sweeper's expiries aside): no refused
    // operation left a row, no replay added one, and every linked list is there whole or not at all.
    const rows = (await ds.query(
      `SELECT id FROM ledger_transfers WHERE tenant_id = $1 AND kind <> 'expire_pending'`,
      [tn],
    )) as { id: string }[];
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(run.created.keys()));
    const present = new Set(rows.map((r) => r.id));
    for (const l of run.linked)
      expect(l.ids.filter((id) => present.has(id)).length).toBe(l.ok ? l.ids.length : 0);

    // The batcher's afterWrite committed exactly with its transfer: one audit row per created transfer.
    const audits = (await ds.query(`SELECT object_id FROM audit_log WHERE tenant_id = $1 AND action = $2`, [
      tn,
      AUDIT_ACTION,
    ])) as {
      object_id: string;
    }[];
    expect(audits.map((a) => a.object_id).sort()).toEqual([...run.audited].sort());

    const [{ doubly }] = (await ds.query(
      `SELECT count(*)::int AS doubly FROM (SELECT pending_id FROM ledger_transfers WHERE tenant_id = $1 AND pending_id IS NOT NULL
       GROUP BY pending_id HAVING count(*) > 1) x`,
      [tn],
    )) as { doubly: number }[];
    expect(doubly).toBe(0);
  }

  it('keeps every invariant under random concurrent transfers, resolutions, replays and linked lists', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (groups: Group[]) => {
        const run = await newRun();
        for (const g of groups) {
          if (g.pauseFirst) await sleep(1_100); // lets 1-second reservations expire
          const ops = g.ops.map((o) => operation(run, o)).filter((f): f is () => Promise<unknown> => !!f);
          const settled = await Promise.allSettled(ops.map((f) => f()));
          settled.forEach(
            (s) => s.status === 'rejected' && run.problems.push(`operation threw: ${String(s.reason)}`),
          );
          run.endGroup();
          await expectSumsZero(run.tenantId);
        }
        await batcher.drain();
        expect(run.problems).toEqual([]);
        expect(run.stats.deadlocks ?? 0).toBe(0);
        expect(run.created.size).toBeGreaterThan(FUNDING.length);
        await expectInvariants(run);
        for (const [k, v] of Object.entries(run.stats)) totals[k] = (totals[k] ?? 0) + v;
      }),
      { seed: 20_251_122, numRuns: 10, endOnFailure: true },
    );
    // The sequences exercised what they were meant to: successes and refusals of every sort.
    const seen = [
      'posted ok',
      'pending ok',
      'post ok',
      'void ok',
      'replay ok',
      'replayDifferent refused',
      'linked ok',
      'linked refused',
      'linked invalid refused',
      'posted refused',
      'post refused',
    ].map((what) => [what, (totals[what] ?? 0) > 0]);
    expect(seen).toEqual(seen.map(([what]) => [what, true]));
  });

  // Two lists naming the same new IDs in opposite orders, on different accounts (so their account locks do
  // not serialise them), once deadlocked (40P01); the ledger now inserts a list's rows in ID order.
  it('never deadlocks on two lists naming the same new IDs in opposite orders', async () => {
    const tenantId = await createTenant(ds);
    const [a, b, c, d] = await Promise.all(
      ['a', 'b', 'c', 'd'].map((k) =>
        ledger.createAccount(undefined, tenantId, { ...SLOTS[4], code: `clearing:${k}` }),
      ),
    );
    const move = (id: string, dr: Account, cr: Account): TransferInput => ({
      id,
      kind: 'posted',
      debitAccountId: dr.id,
      creditAccountId: cr.id,
      amount: 1n,
      currency: 'USD',
      code: 'order',
    });
    for (let i = 0; i < 300; i++) {
      const [x, y] = [randomUUID(), randomUUID()];
      const outcomes = await Promise.allSettled([
        ledger.createTransfers(undefined, tenantId, [move(x, a, b), move(y, a, b)]),
        ledger.createTransfers(undefined, tenantId, [move(y, c, d), move(x, c, d)]),
      ]);
      const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : []));
      expect(refusals).toEqual([ErrorCode.LEDGER_TRANSFER_EXISTS_WITH_DIFFERENT_FIELD]);
    }
  });

  describe.each<[Via, 'posted' | 'pending']>([
    ['direct', 'posted'],
    ['direct', 'pending'],
    ['batcher', 'posted'],
    ['batcher', 'pending'],
    ['batcher+audit', 'posted'],
  ])('50 concurrent transfers racing for one limited balance (%s, %s)', (v, kind) => {
    async function race(
      funded: bigint,
      each: bigint,
    ): Promise<{ ok: number; refusals: string[]; account: Account }> {
      const tenantId = await createTenant(ds);
      const treasury = await ledger.createAccount(undefined, tenantId, SLOTS[0]);
      const program = await ledger.createAccount(undefined, tenantId, SLOTS[1]);
      const clearing = await ledger.createAccount(undefined, tenantId, SLOTS[4]);
      const move = (from: Account, to: Account, amt: bigint, k: 'posted' | 'pending'): TransferInput => ({
        id: randomUUID(),
        kind: k,
        debitAccountId: from.id,
        creditAccountId: to.id,
        amount: amt,
        currency: 'USD',
        code: 'race',
      });
      await ledger.createTransfers(undefined, tenantId, [move(treasury, program, funded, 'posted')]);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, () => send(v, tenantId, move(program, clearing, each, kind))),
      );
      const [account] = await ledger.getAccounts(tenantId, [program.id]);
      await expectSumsZero(tenantId);
      return {
        ok: outcomes.filter((o) => o.status === 'fulfilled').length,
        refusals: [...new Set(outcomes.flatMap((o) => (o.status === 'rejected' ? [codeOf(o.reason)] : [])))],
        account,
      };
    }

    it('each spending the whole balance: exactly one succeeds', async () => {
      const { ok, refusals, account } = await race(1_000n, 1_000n);
      expect(ok).toBe(1);
      expect(refusals).toEqual([ErrorCode.LEDGER_EXCEEDS_CREDITS]);
      expect(account.debitsPosted + account.debitsPending).toBe(1_000n);
    });

    it('each spending 70 of 1,000: exactly 14 succeed and 20 remain', async () => {
      const { ok, refusals, account } = await race(1_000n, 70n);
      expect(ok).toBe(14);
      expect(refusals).toEqual([ErrorCode.LEDGER_EXCEEDS_CREDITS]);
      expect(account.creditsPosted - account.debitsPosted - account.debitsPending).toBe(20n);
    });
  });
});

function equalTransfers(a: Transfer, b: Transfer): boolean {
  return (
    a.id === b.id &&
    a.tenantId === b.tenantId &&
    a.kind === b.kind &&
    a.amount === b.amount &&
    a.debitAccountId === b.debitAccountId &&
    a.creditAccountId === b.creditAccountId &&
    a.pendingId === b.pendingId &&
    a.code === b.code &&
    a.createdAt.getTime() === b.createdAt.getTime() &&
    (a.timeoutAt?.getTime() ?? null) === (b.timeoutAt?.getTime() ?? null)
  );
}
