import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { createParticipant, createTenant, TestParticipant } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

interface AccountBody {
  id: string;
  code: string;
  currency: string;
  kind: string;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  available: string;
  debitsPostedMinor: string;
  creditsPostedMinor: string;
  debitsPendingMinor: string;
  creditsPendingMinor: string;
  availableMinor: string;
}

interface TransferBody {
  id: string;
  kind: string;
  amount: string;
  amountMinor: string;
  created: boolean;
}

interface StatementBody {
  items: {
    transferId: string;
    direction: string;
    amount: string;
    counterpartyAccountId: string;
    createdAt: string;
  }[];
  nextCursor: string | null;
}

interface ReportBody {
  tenantId: string;
  currencies: {
    currency: string;
    accounts: number;
    postedNet: string;
    pendingNet: string;
    balanced: boolean;
  }[];
  discrepancies: {
    currency: string;
    accountCode: string | null;
    field: string;
    stored: string;
    recomputed: string;
  }[];
  ok: boolean;
}

const errorCode = (res: Response) => (res.body as { error: { code: string } }).error.code;

describe('Ledger API (operators and programs)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Requests as one participant; the tenant always comes from its credentials. */
  const as = (p: TestParticipant) => ({
    get: (url: string) => t.http().get(url).set('X-API-Key', p.apiKey),
    post: (url: string, body: object, headers: Record<string, string> = {}) =>
      t.http().post(url).set('X-API-Key', p.apiKey).set(headers).send(body),
  });

  interface Books {
    tenantId: string;
    operator: TestParticipant;
    reader: TestParticipant;
    api: ReturnType<typeof as>;
  }

  const books = async (): Promise<Books> => {
    const tenantId = await createTenant(t.ds);
    const operator = await createParticipant(t, { tenantId, kind: 'operator' });
    const reader = await createParticipant(t, { tenantId, kind: 'source_bb', scopes: ['ledger:read'] });
    return { tenantId, operator, reader, api: as(operator) };
  };

  const openAccount = async (b: Books, body: object): Promise<AccountBody> =>
    (await b.api.post('/ledger/accounts', { name: 'An account', currency: 'USD', ...body }).expect(201))
      .body as AccountBody;
  const account = async (b: Books, id: string): Promise<AccountBody> =>
    (await b.api.get(`/ledger/accounts/${id}`).expect(200)).body as AccountBody;
  const fund = (
    b: Books,
    id: string,
    amount: string,
    extra: object = {},
    headers: Record<string, string> = {},
  ) =>
    b.api.post(
      `/ledger/accounts/${id}/fund`,
      { amount, currency: 'USD', reference: 'BUDGET-1', ...extra },
      headers,
    );
  const transfer = (from: AccountBody, to: AccountBody, amount: string, extra: object = {}) => ({
    id: randomUUID(),
    kind: 'posted',
    debitAccountId: from.id,
    creditAccountId: to.id,
    amount,
    currency: from.currency,
    code: 'payout',
    ...extra,
  });
  const auditCount = async (tenantId: string, ids: string[], action?: string): Promise<number> => {
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_log
       WHERE tenant_id = $1 AND object_id = ANY($2::text[]) AND ($3::text IS NULL OR action = $3)`,
      [tenantId, ids, action ?? null],
    )) as { n: number }[];
    return n;
  };

  describe('accounts and funding', () => {
    let b: Books;
    let program: AccountBody;

    beforeAll(async () => {
      b = await books();
      program = await openAccount(b, {
        code: 'program:cash:USD',
        kind: 'program_funding',
        reference: 'PRG-7',
      });
    });

    it('opens a program funding account that refuses debits beyond credits by default, audited', async () => {
      expect(program).toMatchObject({
        code: 'program:cash:USD',
        currency: 'USD',
        kind: 'program_funding',
        debitsMustNotExceedCredits: true,
        creditsMustNotExceedDebits: false,
        debitsPosted: '0.00',
        available: '0.00',
        availableMinor: '0',
      });
      const optedOut = await openAccount(b, {
        code: 'program:open:USD',
        kind: 'program_funding',
        debitsMustNotExceedCredits: false,
      });
      expect(optedOut.debitsMustNotExceedCredits).toBe(false);
      const clearing = await openAccount(b, { code: 'clearing:USD', kind: 'disbursement_clearing' });
      expect(clearing.debitsMustNotExceedCredits).toBe(false);
      expect(await auditCount(b.tenantId, [program.id], 'ledger.account.create')).toBe(1);
    });

    it('refuses a duplicate code (409), limit flags on an external account, unknown currencies and reserved codes (400)', async () => {
      const dup = await b.api.post('/ledger/accounts', {
        code: 'program:cash:USD',
        name: 'x',
        currency: 'USD',
        kind: 'program_funding',
      });
      expect([dup.status, errorCode(dup)]).toEqual([409, 'CONFLICT']);
      for (const body of [
        { code: 'ext:1', kind: 'external', debitsMustNotExceedCredits: true },
        { code: 'ext:2', kind: 'external', creditsMustNotExceedDebits: true },
        {
          code: 'prg:both',
          kind: 'program_funding',
          debitsMustNotExceedCredits: true,
          creditsMustNotExceedDebits: true,
        },
        { code: 'prg:xau', kind: 'program_funding', currency: 'XAU' },
        { code: 'prg:lower', kind: 'program_funding', currency: 'usd' },
        { code: 'external:treasury:USD', kind: 'program_funding' },
        { code: 'bad code', kind: 'program_funding' },
      ]) {
        const res = await b.api.post('/ledger/accounts', { name: 'x', currency: 'USD', ...body });
        expect([body.code, res.status, errorCode(res)]).toEqual([body.code, 400, 'VALIDATION_FAILED']);
      }
    });

    it('funds from the tenant treasury: balances as decimal strings and minor units, a treasury per currency', async () => {
      const res = await fund(b, program.id, '1000.00', { reference: 'BUDGET-2025-Q3' }).expect(201);
      expect(res.body).toMatchObject({
        transfer: {
          kind: 'posted',
          amount: '1000.00',
          amountMinor: '100000',
          code: 'funding',
          created: true,
          reference: { type: 'funding', id: 'BUDGET-2025-Q3' },
          creditAccountId: program.id,
        },
        account: {
          id: program.id,
          creditsPosted: '1000.00',
          available: '1000.00',
          creditsPostedMinor: '100000',
        },
      });
      const after = await account(b, program.id);
      expect(after).toMatchObject({
        creditsPosted: '1000.00',
        debitsPosted: '0.00',
        available: '1000.00',
        availableMinor: '100000',
      });
      const list = await b.api.get('/ledger/accounts?kind=external').expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          code: 'external:treasury:USD',
          kind: 'external',
          debitsPosted: '1000.00',
          available: '-1000.00',
        }),
      ]);
      const transferId = (res.body as { transfer: TransferBody }).transfer.id;
      expect(await auditCount(b.tenantId, [transferId], 'ledger.account.fund')).toBe(1);
      expect(await auditCount(b.tenantId, [transferId])).toBe(1);
      const treasuryId = (list.body.items as AccountBody[])[0].id;
      expect(await auditCount(b.tenantId, [treasuryId], 'ledger.account.create')).toBe(1);
    });

    it('funds once per Idempotency-Key: a replay answers the same response; another body under the key is refused', async () => {
      const key = randomUUID();
      const before = await account(b, program.id);
      const first = await fund(b, program.id, '250.00', {}, { 'Idempotency-Key': key }).expect(201);
      const again = await fund(b, program.id, '250.00', {}, { 'Idempotency-Key': key }).expect(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect((await account(b, program.id)).creditsPostedMinor).toBe(
        String(BigInt(before.creditsPostedMinor) + 25_000n),
      );
      const other = await fund(b, program.id, '260.00', {}, { 'Idempotency-Key': key });
      expect([other.status, errorCode(other)]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
      expect((await account(b, program.id)).creditsPostedMinor).toBe(
        String(BigInt(before.creditsPostedMinor) + 25_000n),
      );
    });

    it('funds once per transferId: the replay is a 200 with created=false; other fields under the ID are a 409', async () => {
      const transferId = randomUUID();
      const before = await account(b, program.id);
      await fund(b, program.id, '10.00', { transferId }).expect(201);
      const again = await fund(b, program.id, '10.00', { transferId }).expect(200);
      expect(again.body.transfer).toMatchObject({ id: transferId, created: false });
      const other = await fund(b, program.id, '11.00', { transferId });
      expect([other.status, errorCode(other)]).toEqual([409, 'LEDGER_TRANSFER_EXISTS_WITH_DIFFERENT_FIELD']);
      expect((await account(b, program.id)).creditsPostedMinor).toBe(
        String(BigInt(before.creditsPostedMinor) + 1_000n),
      );
    });

    it('opens one treasury per currency when first fundings race, audited once', async () => {
      const eur = await Promise.all(
        ['a', 'b', 'c'].map((s) =>
          openAccount(b, { code: `program:${s}:EUR`, kind: 'program_funding', currency: 'EUR' }),
        ),
      );
      const funded = await Promise.all(eur.map((a) => fund(b, a.id, '5.00', { currency: 'EUR' })));
      expect(funded.map((r) => r.status)).toEqual([201, 201, 201]);
      const treasuries = (await b.api.get('/ledger/accounts?currency=EUR&kind=external').expect(200)).body
        .items as AccountBody[];
      expect(treasuries.map((a) => [a.code, a.debitsPosted])).toEqual([['external:treasury:EUR', '15.00']]);
      expect(await auditCount(b.tenantId, [treasuries[0].id], 'ledger.account.create')).toBe(1);
    });

    it('refuses amounts with more decimals than the currency has, malformed amounts and another currency', async () => {
      const before = await account(b, program.id);
      const tooPrecise = await fund(b, program.id, '1000.001').expect(400);
      expect(tooPrecise.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'amount has 3 decimals but USD allows 2',
      });
      for (const amount of ['-5.00', '1e3', '0', '', '12,50']) await fund(b, program.id, amount).expect(400);
      const numeric = await fund(b, program.id, 5 as unknown as string).expect(400);
      expect(errorCode(numeric)).toBe('VALIDATION_FAILED');
      const mismatch = await fund(b, program.id, '5.00', { currency: 'EUR' });
      expect([mismatch.status, errorCode(mismatch)]).toEqual([422, 'LEDGER_CURRENCY_MISMATCH']);
      const jpy = await openAccount(b, { code: 'program:JPY', kind: 'program_funding', currency: 'JPY' });
      await fund(b, jpy.id, '1.5', { currency: 'JPY' }).expect(400);
      await fund(b, jpy.id, '1500', { currency: 'JPY' }).expect(201);
      expect((await account(b, jpy.id)).creditsPosted).toBe('1500');
      expect(await account(b, program.id)).toEqual(before);
    });

    it('lists with filters and paging; an unknown account is a 404', async () => {
      const usd = await b.api.get('/ledger/accounts?currency=USD&kind=program_funding').expect(200);
      expect((usd.body.items as AccountBody[]).map((a) => a.code)).toEqual([
        'program:cash:USD',
        'program:open:USD',
      ]);
      const page = await b.api
        .get('/ledger/accounts?currency=USD&kind=program_funding&limit=1&offset=1')
        .expect(200);
      expect((page.body.items as AccountBody[]).map((a) => a.code)).toEqual(['program:open:USD']);
      const missing = await b.api.get(`/ledger/accounts/${randomUUID()}`);
      expect([missing.status, errorCode(missing)]).toEqual([404, 'LEDGER_ACCOUNT_NOT_FOUND']);
      await b.api.get('/ledger/accounts?limit=0').expect(400);
      await b.api.get('/ledger/accounts/not-a-uuid').expect(400);
    });
  });

  describe('transfers', () => {
    let b: Books;
    let program: AccountBody;
    let clearing: AccountBody;

    beforeAll(async () => {
      b = await books();
      program = await openAccount(b, { code: 'program:USD', kind: 'program_funding' });
      clearing = await openAccount(b, { code: 'clearing:USD', kind: 'disbursement_clearing' });
      await fund(b, program.id, '1000.00').expect(201);
    });

    it('posts one transfer (201), answers an identical replay with 200, and names the field of a different one', async () => {
      const tr = transfer(program, clearing, '12.34', { reference: { type: 'batch', id: 'B-1' } });
      const first = await b.api.post('/ledger/transfers', tr).expect(201);
      expect(first.body).toMatchObject({
        id: tr.id,
        amount: '12.34',
        amountMinor: '1234',
        created: true,
        reference: { type: 'batch', id: 'B-1' },
      });
      const again = await b.api.post('/ledger/transfers', tr).expect(200);
      expect(again.body).toEqual({ ...first.body, created: false });
      const other = await b.api.post('/ledger/transfers', { ...tr, amount: '12.35' });
      expect([other.status, errorCode(other)]).toEqual([409, 'LEDGER_TRANSFER_EXISTS_WITH_DIFFERENT_FIELD']);
      expect(other.body.error.message).toMatch(/different amount/);
      const got = await b.api.get(`/ledger/transfers/${tr.id}`).expect(200);
      expect(got.body).toMatchObject({ id: tr.id, amount: '12.34', kind: 'posted' });
      expect(await auditCount(b.tenantId, [tr.id])).toBe(1);
      expect((await account(b, program.id)).debitsPosted).toBe('12.34');
    });

    it('refuses spending beyond the funding with 422 LEDGER_EXCEEDS_CREDITS and writes nothing', async () => {
      const before = await account(b, program.id);
      const tr = transfer(program, clearing, '5000.00');
      const res = await b.api.post('/ledger/transfers', tr);
      expect([res.status, errorCode(res)]).toEqual([422, 'LEDGER_EXCEEDS_CREDITS']);
      expect(res.body.error.message).toContain('program:USD');
      await b.api.get(`/ledger/transfers/${tr.id}`).expect(404);
      expect(await auditCount(b.tenantId, [tr.id])).toBe(0);
      expect(await account(b, program.id)).toEqual(before);
    });

    it('validates a transfer: shape (400), unknown account (404), currency mismatch (422)', async () => {
      await b.api.post('/ledger/transfers', { ...transfer(program, clearing, '1.00'), extra: 1 }).expect(400);
      await b.api
        .post('/ledger/transfers', { ...transfer(program, clearing, '1.00'), id: randomUUID().toUpperCase() })
        .expect(400);
      await b.api.post('/ledger/transfers', transfer(program, clearing, '1.001')).expect(400);
      await b.api
        .post('/ledger/transfers', transfer(program, clearing, '1.00', { timeoutSeconds: 60 }))
        .expect(400);
      const ghost = await b.api.post(
        '/ledger/transfers',
        transfer(program, { ...clearing, id: randomUUID() }, '1.00'),
      );
      expect([ghost.status, errorCode(ghost)]).toEqual([404, 'LEDGER_ACCOUNT_NOT_FOUND']);
      const mismatch = await b.api.post('/ledger/transfers', {
        ...transfer(program, clearing, '1.00'),
        currency: 'EUR',
      });
      expect([mismatch.status, errorCode(mismatch)]).toEqual([422, 'LEDGER_CURRENCY_MISMATCH']);
    });

    it('reserves, posts part of a reservation, refuses a second post (409), and voids another', async () => {
      const before = await account(b, program.id);
      const pending = transfer(program, clearing, '100.00', { kind: 'pending', timeoutSeconds: 3600 });
      const reserved = await b.api.post('/ledger/transfers', pending).expect(201);
      expect(reserved.body).toMatchObject({
        kind: 'pending',
        amount: '100.00',
        timeoutAt: expect.any(String),
      });
      const held = await account(b, program.id);
      expect(held.debitsPending).toBe('100.00');
      expect(BigInt(held.availableMinor)).toBe(BigInt(before.availableMinor) - 10_000n);

      const postId = randomUUID();
      const post = await b.api
        .post(`/ledger/transfers/${pending.id}/post`, { id: postId, amount: '60.00' })
        .expect(201);
      expect(post.body).toMatchObject({
        id: postId,
        kind: 'post_pending',
        pendingId: pending.id,
        amount: '60.00',
        code: 'pending.posted',
      });
      await b.api.post(`/ledger/transfers/${pending.id}/post`, { id: postId, amount: '60.00' }).expect(200);
      const posted = await account(b, program.id);
      expect(posted.debitsPending).toBe('0.00');
      expect(BigInt(posted.debitsPostedMinor)).toBe(BigInt(before.debitsPostedMinor) + 6_000n);
      expect(BigInt(posted.availableMinor)).toBe(BigInt(before.availableMinor) - 6_000n);

      const twice = await b.api.post(`/ledger/transfers/${pending.id}/post`, { id: randomUUID() });
      expect([twice.status, errorCode(twice)]).toEqual([409, 'LEDGER_PENDING_ALREADY_POSTED']);
      const voidAfterPost = await b.api.post(`/ledger/transfers/${pending.id}/void`, { id: randomUUID() });
      expect([voidAfterPost.status, errorCode(voidAfterPost)]).toEqual([
        409,
        'LEDGER_PENDING_ALREADY_POSTED',
      ]);

      const other = transfer(program, clearing, '30.00', { kind: 'pending' });
      await b.api.post('/ledger/transfers', other).expect(201);
      const tooMuch = await b.api.post(`/ledger/transfers/${other.id}/post`, {
        id: randomUUID(),
        amount: '30.01',
      });
      expect([tooMuch.status, errorCode(tooMuch)]).toEqual([422, 'LEDGER_EXCEEDS_PENDING_AMOUNT']);
      await b.api
        .post(`/ledger/transfers/${other.id}/post`, { id: randomUUID(), amount: '1.001' })
        .expect(400);
      const voidId = randomUUID();
      const voided = await b.api.post(`/ledger/transfers/${other.id}/void`, { id: voidId }).expect(201);
      expect(voided.body).toMatchObject({ kind: 'void_pending', pendingId: other.id, amount: '30.00' });
      const postAfterVoid = await b.api.post(`/ledger/transfers/${other.id}/post`, { id: randomUUID() });
      expect([postAfterVoid.status, errorCode(postAfterVoid)]).toEqual([
        409,
        'LEDGER_PENDING_ALREADY_VOIDED',
      ]);
      expect(await account(b, program.id)).toEqual(posted);

      const notPending = await b.api.post(`/ledger/transfers/${randomUUID()}/void`, { id: randomUUID() });
      expect([notPending.status, errorCode(notPending)]).toEqual([404, 'LEDGER_PENDING_NOT_FOUND']);
      expect(await auditCount(b.tenantId, [postId], 'ledger.transfer.post')).toBe(1);
      expect(await auditCount(b.tenantId, [voidId], 'ledger.transfer.void')).toBe(1);
    });

    it('writes a batch of 1,000 in one call, in order, with one audit row per transfer; a replay changes nothing', async () => {
      const before = await account(b, program.id);
      const amountOf = (i: number) => (i % 100 === 0 ? '1.00' : `0.${String(i % 100).padStart(2, '0')}`);
      const list = Array.from({ length: 1000 }, (_, i) =>
        transfer(program, clearing, amountOf(i), { reference: { type: 'instruction', id: `I-${i}` } }),
      );
      const total = list.reduce((s, tr) => s + BigInt(tr.amount.replace('.', '')), 0n);
      const res = await b.api.post('/ledger/transfers/batch', { transfers: list }).expect(201);
      expect(res.body).toMatchObject({ count: 1000, created: 1000 });
      expect((res.body.results as TransferBody[]).map((r) => r.id)).toEqual(list.map((tr) => tr.id));
      expect((res.body.results as TransferBody[]).map((r) => r.amount)).toEqual(list.map((tr) => tr.amount));
      expect(BigInt((await account(b, program.id)).debitsPostedMinor)).toBe(
        BigInt(before.debitsPostedMinor) + total,
      );
      const ids = list.map((tr) => tr.id);
      expect(await auditCount(b.tenantId, ids, 'ledger.transfer.create')).toBe(1000);

      const replay = await b.api.post('/ledger/transfers/batch', { transfers: list }).expect(200);
      expect(replay.body).toMatchObject({ count: 1000, created: 0 });
      expect(BigInt((await account(b, program.id)).debitsPostedMinor)).toBe(
        BigInt(before.debitsPostedMinor) + total,
      );
      expect(await auditCount(b.tenantId, ids)).toBe(1000);
    });

    it('writes nothing of a batch when one transfer is refused (linked), or one item is malformed', async () => {
      const before = await account(b, program.id);
      const list = Array.from({ length: 1000 }, () => transfer(program, clearing, '0.01'));
      list[777] = transfer(program, clearing, '100000.00');
      const res = await b.api.post('/ledger/transfers/batch', { transfers: list });
      expect([res.status, errorCode(res)]).toEqual([422, 'LEDGER_EXCEEDS_CREDITS']);
      const [{ n }] = (await t.ds.query(
        `SELECT count(*)::int AS n FROM ledger_transfers WHERE id = ANY($1::uuid[])`,
        [list.map((tr) => tr.id)],
      )) as { n: number }[];
      expect(n).toBe(0);
      expect(
        await auditCount(
          b.tenantId,
          list.map((tr) => tr.id),
        ),
      ).toBe(0);
      expect(await account(b, program.id)).toEqual(before);

      const malformed = list.map((tr, i) =>
        i === 5 ? { ...tr, amount: '0.001' } : i === 6 ? { ...tr, bogus: true } : tr,
      );
      const bad = await b.api.post('/ledger/transfers/batch', { transfers: malformed }).expect(400);
      expect(bad.body.error.message).toBe('transfers[5].amount has 3 decimals but USD allows 2');
      const bogus = await b.api
        .post('/ledger/transfers/batch', { transfers: malformed.slice(6) })
        .expect(400);
      expect(bogus.body.error.message).toBe('transfers[0].property bogus should not exist');
      const missing = await b.api
        .post('/ledger/transfers/batch', { transfers: [{ ...list[0], code: undefined }] })
        .expect(400);
      expect(missing.body.error.message).toMatch(/^transfers\[0\]\.code /);
      await b.api.post('/ledger/transfers/batch', { transfers: [] }).expect(400);
      const dupe = await b.api.post('/ledger/transfers/batch', { transfers: [list[0], list[0]] });
      expect([dupe.status, errorCode(dupe)]).toEqual([400, 'LEDGER_INVALID_TRANSFER']);
      expect(await account(b, program.id)).toEqual(before);
    });

    it('refuses more than 10,000 transfers per batch', async () => {
      const one = transfer(program, clearing, '0.01');
      const list = Array.from({ length: 10_001 }, () => ({ ...one, id: randomUUID() }));
      const res = await b.api.post('/ledger/transfers/batch', { transfers: list });
      expect([res.status, errorCode(res)]).toEqual([400, 'TOO_MANY_ITEMS']);
    });
  });

  describe('statement', () => {
    let b: Books;
    let program: AccountBody;
    let clearing: AccountBody;
    const made: string[] = [];

    beforeAll(async () => {
      b = await books();
      program = await openAccount(b, { code: 'program:USD', kind: 'program_funding' });
      clearing = await openAccount(b, { code: 'clearing:USD', kind: 'disbursement_clearing' });
      made.push(
        ((await fund(b, program.id, '500.00').expect(201)).body as { transfer: TransferBody }).transfer.id,
      );
      // A batch: transfers written in one statement, so their timestamps are as close as they get.
      const batch = Array.from({ length: 15 }, (_, i) => transfer(program, clearing, `${i + 1}.00`));
      await b.api.post('/ledger/transfers/batch', { transfers: batch }).expect(201);
      made.push(...batch.map((tr) => tr.id));
      for (let i = 0; i < 8; i++) {
        const back = transfer(clearing, program, '0.50');
        await b.api.post('/ledger/transfers', back).expect(201);
        made.push(back.id);
      }
    });

    it('pages oldest first with an opaque cursor, each transfer exactly once, with direction and counterparty', async () => {
      const pages: StatementBody[] = [];
      let url = `/ledger/accounts/${program.id}/statement?limit=10`;
      for (;;) {
        const page = (await b.api.get(url).expect(200)).body as StatementBody;
        pages.push(page);
        if (!page.nextCursor) break;
        url = `/ledger/accounts/${program.id}/statement?limit=10&after=${encodeURIComponent(page.nextCursor)}`;
      }
      expect(pages.map((p) => p.items.length)).toEqual([10, 10, 4]);
      const items = pages.flatMap((p) => p.items);
      const sorted = [...items].sort((x, y) =>
        x.createdAt === y.createdAt
          ? x.transferId < y.transferId
            ? -1
            : 1
          : x.createdAt < y.createdAt
            ? -1
            : 1,
      );
      expect(items).toEqual(sorted);
      expect(new Set(items.map((i) => i.transferId))).toEqual(new Set(made));
      // Funding first, then the batch (in any order within it), then the single transfers in the order made.
      expect(items[0]).toMatchObject({ transferId: made[0], direction: 'credit', amount: '500.00' });
      expect(items.slice(16).map((i) => i.transferId)).toEqual(made.slice(16));
      expect(
        items.slice(1, 16).every((i) => i.direction === 'debit' && i.counterpartyAccountId === clearing.id),
      ).toBe(true);
      expect(items.slice(16).every((i) => i.direction === 'credit' && i.amount === '0.50')).toBe(true);
      expect(items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(pages[2].nextCursor).toBeNull();
    });

    it('refuses a cursor it did not issue, and answers 404 for an unknown account', async () => {
      await b.api.get(`/ledger/accounts/${program.id}/statement?after=bm9wZQ`).expect(400);
      await b.api.get(`/ledger/accounts/${randomUUID()}/statement`).expect(404);
    });
  });

  describe('reconciliation', () => {
    let b: Books;
    let program: AccountBody;

    beforeAll(async () => {
      b = await books();
      program = await openAccount(b, { code: 'program:USD', kind: 'program_funding' });
      const clearing = await openAccount(b, { code: 'clearing:USD', kind: 'disbursement_clearing' });
      const kwd = await openAccount(b, { code: 'program:KWD', kind: 'program_funding', currency: 'KWD' });
      const kwdOut = await openAccount(b, {
        code: 'clearing:KWD',
        kind: 'disbursement_clearing',
        currency: 'KWD',
      });
      await fund(b, program.id, '10000.00').expect(201);
      await fund(b, kwd.id, '500.125', { currency: 'KWD' }).expect(201);
      const batch = Array.from({ length: 200 }, (_, i) =>
        transfer(program, clearing, '1.25', i % 2 ? { kind: 'pending' } : {}),
      );
      await b.api.post('/ledger/transfers/batch', { transfers: batch }).expect(201);
      const pendings = batch.filter((tr) => tr.kind === 'pending');
      for (const [i, p] of pendings.slice(0, 40).entries()) {
        const action = i % 2 ? 'void' : 'post';
        await b.api
          .post(`/ledger/transfers/${p.id}/${action}`, {
            id: randomUUID(),
            ...(action === 'post' ? { amount: '1.00' } : {}),
          })
          .expect(201);
      }
      await b.api.post('/ledger/transfers', transfer(kwd, kwdOut, '0.005', { kind: 'pending' })).expect(201);
      await b.api.post('/ledger/transfers', transfer(kwd, kwdOut, '12.345')).expect(201);
    });

    const report = async (): Promise<ReportBody> =>
      (await b.api.get('/ledger/reconciliation').expect(200)).body as ReportBody;

    it('finds a busy tenant balanced, also while transfers are being written', async () => {
      const [clearing] = (
        (await b.api.get('/ledger/accounts?currency=USD&kind=disbursement_clearing').expect(200)).body as {
          items: AccountBody[];
        }
      ).items;
      const writes = Promise.all(
        Array.from({ length: 5 }, () =>
          b.api
            .post('/ledger/transfers/batch', {
              transfers: Array.from({ length: 50 }, () => transfer(program, clearing, '0.01')),
            })
            .expect(201),
        ),
      );
      const during = await Promise.all([report(), report(), report()]);
      await writes;
      for (const r of [...during, await report()]) {
        expect(r.discrepancies).toEqual([]);
        expect(r.ok).toBe(true);
      }
      const r = await report();
      expect(r.tenantId).toBe(b.tenantId);
      expect(r.currencies).toEqual([
        {
          currency: 'KWD',
          accounts: 3,
          postedNet: '0.000',
          pendingNet: '0.000',
          postedNetMinor: '0',
          pendingNetMinor: '0',
          balanced: true,
        },
        {
          currency: 'USD',
          accounts: 3,
          postedNet: '0.00',
          pendingNet: '0.00',
          postedNetMinor: '0',
          pendingNetMinor: '0',
          balanced: true,
        },
      ]);
    });

    it('lists a balance corrupted behind the ledger’s back, in JSON and CSV', async () => {
      await t.ds.query(`UPDATE ledger_accounts SET credits_posted = credits_posted + 1 WHERE id = $1`, [
        program.id,
      ]);
      await t.ds.query(`UPDATE ledger_accounts SET debits_pending = debits_pending + 5 WHERE id = $1`, [
        program.id,
      ]);
      try {
        const r = await report();
        expect(r.ok).toBe(false);
        expect(r.currencies.find((c) => c.currency === 'USD')).toMatchObject({
          postedNet: '0.01',
          pendingNet: '-0.05',
          balanced: false,
        });
        expect(r.currencies.find((c) => c.currency === 'KWD')?.balanced).toBe(true);
        const stored = await account(b, program.id);
        const minus = (v: string, d: bigint) => (BigInt(v) - d).toString();
        expect(r.discrepancies).toEqual([
          expect.objectContaining({
            currency: 'USD',
            accountCode: null,
            field: 'postedNet',
            stored: '0.01',
            recomputed: '0.00',
          }),
          expect.objectContaining({
            currency: 'USD',
            accountCode: null,
            field: 'pendingNet',
            stored: '-0.05',
            recomputed: '0.00',
          }),
          expect.objectContaining({
            accountCode: 'program:USD',
            field: 'creditsPosted',
            stored: stored.creditsPosted,
            storedMinor: stored.creditsPostedMinor,
            recomputedMinor: minus(stored.creditsPostedMinor, 1n),
          }),
          expect.objectContaining({
            accountCode: 'program:USD',
            field: 'debitsPending',
            stored: stored.debitsPending,
            recomputedMinor: minus(stored.debitsPendingMinor, 5n),
          }),
          expect.objectContaining({
            accountCode: 'program:USD',
            field: 'debitsPending.openReservations',
            recomputedMinor: minus(stored.debitsPendingMinor, 5n),
          }),
        ]);

        const csv = await b.api.get('/ledger/reconciliation?format=csv').expect(200);
        expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(csv.headers['content-disposition']).toMatch(
          new RegExp(`^attachment; filename="ledger-reconciliation-${b.tenantId}-\\d{8}T\\d{6}Z\\.csv"$`),
        );
        const lines = csv.text.trimEnd().split('\r\n');
        expect(lines[0]).toBe(
          'record,currency,accounts,posted_net,pending_net,balanced,account_id,account_code,field,stored,recomputed,stored_minor,recomputed_minor',
        );
        expect(lines.slice(1, 3)).toEqual([
          'currency,KWD,3,0.000,0.000,true,,,,,,,',
          'currency,USD,3,0.01,-0.05,false,,,,,,,',
        ]);
        expect(lines).toHaveLength(1 + 2 + 5);
        expect(lines).toContain(
          `discrepancy,USD,,,,,${program.id},program:USD,creditsPosted,${stored.creditsPosted},` +
            `${r.discrepancies[2].recomputed},${stored.creditsPostedMinor},${minus(stored.creditsPostedMinor, 1n)}`,
        );
      } finally {
        await t.ds.query(
          `UPDATE ledger_accounts SET credits_posted = credits_posted - 1, debits_pending = debits_pending - 5 WHERE id = $1`,
          [program.id],
        );
      }
      expect((await report()).ok).toBe(true);
      await b.api.get('/ledger/reconciliation?format=xml').expect(400);
    });
  });

  describe('tenancy and authorization', () => {
    let b: Books;
    let other: Books;
    let program: AccountBody;
    let clearing: AccountBody;
    let pendingId: string;

    beforeAll(async () => {
      b = await books();
      other = await books();
      program = await openAccount(b, { code: 'program:USD', kind: 'program_funding' });
      clearing = await openAccount(b, { code: 'clearing:USD', kind: 'disbursement_clearing' });
      await fund(b, program.id, '100.00').expect(201);
      const p = transfer(program, clearing, '1.00', { kind: 'pending' });
      await b.api.post('/ledger/transfers', p).expect(201);
      pendingId = p.id;
    });

    it("keeps another tenant's operator out: 404 on accounts, transfers and statements; its own report only", async () => {
      const o = other.api;
      const codes = async (res: Promise<Response>) => {
        const r = await res;
        return [r.status, errorCode(r)];
      };
      expect(await codes(o.get(`/ledger/accounts/${program.id}`))).toEqual([404, 'LEDGER_ACCOUNT_NOT_FOUND']);
      expect(await codes(o.get(`/ledger/accounts/${program.id}/statement`))).toEqual([
        404,
        'LEDGER_ACCOUNT_NOT_FOUND',
      ]);
      expect(await codes(fund(other, program.id, '1.00'))).toEqual([404, 'LEDGER_ACCOUNT_NOT_FOUND']);
      expect(await codes(o.post('/ledger/transfers', transfer(program, clearing, '1.00')))).toEqual([
        404,
        'LEDGER_ACCOUNT_NOT_FOUND',
      ]);
      expect(await codes(o.get(`/ledger/transfers/${pendingId}`))).toEqual([404, 'NOT_FOUND']);
      expect(await codes(o.post(`/ledger/transfers/${pendingId}/void`, { id: randomUUID() }))).toEqual([
        404,
        'LEDGER_PENDING_NOT_FOUND',
      ]);
      expect((await o.get('/ledger/accounts').expect(200)).body.items).toEqual([]);
      expect((await o.get('/ledger/reconciliation').expect(200)).body).toMatchObject({
        tenantId: other.tenantId,
        currencies: [],
        ok: true,
      });
      // The tenant header cannot point elsewhere.
      await o.get('/ledger/reconciliation').set('Platform-TenantId', b.tenantId).expect(403);
      expect((await account(b, program.id)).debitsPending).toBe('1.00');
    });

    it('answers 401 without credentials and 403 to a reader trying to write; a reader can read', async () => {
      const anon = await t.http().get('/ledger/accounts');
      expect([anon.status, errorCode(anon)]).toEqual([401, 'UNAUTHENTICATED']);
      await t
        .http()
        .post('/ledger/transfers')
        .send(transfer(program, clearing, '1.00'))
        .expect(401);
      const r = as(b.reader);
      for (const res of [
        r.post('/ledger/accounts', { code: 'x', name: 'x', currency: 'USD', kind: 'program_funding' }),
        r.post(`/ledger/accounts/${program.id}/fund`, { amount: '1.00', currency: 'USD', reference: 'R' }),
        r.post('/ledger/transfers', transfer(program, clearing, '1.00')),
        r.post('/ledger/transfers/batch', { transfers: [transfer(program, clearing, '1.00')] }),
        r.post(`/ledger/transfers/${pendingId}/post`, { id: randomUUID() }),
        r.post(`/ledger/transfers/${pendingId}/void`, { id: randomUUID() }),
      ]) {
        const answer = await res;
        expect([answer.status, errorCode(answer)]).toEqual([403, 'FORBIDDEN']);
      }
      await r.get(`/ledger/accounts/${program.id}`).expect(200);
      await r.get(`/ledger/accounts/${program.id}/statement`).expect(200);
      await r.get(`/ledger/transfers/${pendingId}`).expect(200);
      await r.get('/ledger/reconciliation?format=csv').expect(200);
      // A writer without admin may move money but not open or fund accounts.
      const writer = as(
        await createParticipant(t, { tenantId: b.tenantId, kind: 'source_bb', scopes: ['ledger:write'] }),
      );
      await writer.post('/ledger/transfers', transfer(program, clearing, '1.00')).expect(201);
      await writer
        .post(`/ledger/accounts/${program.id}/fund`, { amount: '1.00', currency: 'USD', reference: 'R' })
        .expect(403);
      expect((await account(b, program.id)).debitsPending).toBe('1.00');
    });
  });
});
