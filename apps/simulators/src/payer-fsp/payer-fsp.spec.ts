import { signCallback } from '@app/callbacks/signature';
import { PayerFspOptions, PayerFspSimulator, startPayerFsp } from './payer-fsp';
import { call, PushReceiver, startPushReceiver, subBatchBody, TestInstruction } from './payer-fsp.testing';

describe('payer FSP simulator', () => {
  let fsp: PayerFspSimulator;
  let rx: PushReceiver;

  async function start(opts: PayerFspOptions = {}): Promise<PayerFspSimulator> {
    await fsp?.close();
    fsp = await startPayerFsp(opts);
    return fsp;
  }

  beforeEach(async () => {
    rx = await startPushReceiver();
    fsp = await startPayerFsp({ pbbApiKey: 'pbb-key', tenantId: 'tenant-1', pushRetryBaseMs: 20 });
  });

  afterEach(async () => {
    await fsp.close();
    await rx.close();
  });

  const submit = (id: string, instructions: TestInstruction[], overrides?: Record<string, unknown>) =>
    call(fsp.url, 'POST', '/sub-batches', subBatchBody(id, rx.pushUrl(), instructions, overrides));
  const ids = (n: number, prefix = 'INS') =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i + 1}` }));
  const pushedFor = (subBatchId: string) => fsp.pushes.filter((p) => p.subBatchId === subBatchId);

  describe('sub-batches and status pushes', () => {
    it('accepts a sub-batch, pays it, and pushes ACSC statuses with the server credentials', async () => {
      expect(await submit('sb-1', ids(3))).toEqual({
        status: 202,
        json: { subBatchId: 'sb-1', accepted: 3 },
      });
      await fsp.waitFor((s) => s.pushStats().delivered === 1, 2_000);

      expect(rx.pushes).toHaveLength(1);
      const [push] = rx.pushes;
      expect(push.url).toBe('/api/v1/batch?batchId=batch-1');
      expect(push.headers['x-api-key']).toBe('pbb-key');
      expect(push.headers['platform-tenantid']).toBe('tenant-1');
      expect(push.headers['x-client-correlation-id']).toBe('corr-1');
      expect(push.body.subBatchId).toBe('sb-1');
      expect(push.body.instructions.map((i) => [i.instructionId, i.status])).toEqual([
        ['INS1', 'ACSC'],
        ['INS2', 'ACSC'],
        ['INS3', 'ACSC'],
      ]);
      const refs = push.body.instructions.map((i) => i.fspReference);
      expect(new Set(refs).size).toBe(3);
      expect(refs.every((r) => typeof r === 'string' && r.startsWith('SIMFSP-'))).toBe(true);
      expect(Object.fromEntries(fsp.executions())).toEqual({ INS1: 1, INS2: 1, INS3: 1 });
      expect(fsp.subBatches.get('sb-1')).toMatchObject({
        accepted: 3,
        paid: 3,
        submissions: 1,
        pushedInstructions: 3,
      });
      expect(fsp.pushes).toEqual([
        expect.objectContaining({
          subBatchId: 'sb-1',
          attempt: 1,
          status: 200,
          outcome: 'delivered',
          instructions: 3,
        }),
      ]);
      expect(fsp.pushes[0].answer).toEqual({ applied: 3, ignored: 0, unknown: 0 });
    });

    it('splits the statuses into pushes of pushChunkSize instructions', async () => {
      fsp.configure({ pushChunkSize: 2 });
      await submit('sb-chunks', ids(5));
      await fsp.waitFor((s) => s.pushStats().delivered === 3, 2_000);
      expect(rx.pushes.map((p) => p.body.instructions.length).sort()).toEqual([1, 2, 2]);
      expect(rx.statuses().size).toBe(5);
      expect(fsp.subBatches.get('sb-chunks')?.pushedInstructions).toBe(5);
    });

    it('rejects closed, blocked, over-limit and (when strict) unknown accounts with their ISO reason codes', async () => {
      fsp.setAccount('+255700000001', { status: 'closed' });
      fsp.setAccount('+255700000002', { status: 'blocked' });
      fsp.setAccount('+255700000003', { status: 'open', limit: '500.00' });
      fsp.setAccount('+255700000004', { status: 'open' });
      const batch = [
        { id: 'CLOSED', address: '+255700000001' },
        { id: 'BLOCKED', address: '+255700000002' },
        { id: 'OVER', address: '+255700000003', amount: '500.01' },
        { id: 'AT-LIMIT', address: '+255700000003', amount: '500.00' },
        { id: 'UNKNOWN', address: '+255799999999' },
        { id: 'KNOWN', address: '+255700000004' },
      ];
      await submit('sb-lenient', batch);
      fsp.configure({ strictAccounts: true });
      await submit(
        'sb-strict',
        batch.map((b) => ({ ...b, id: `${b.id}-2` })),
      );
      await fsp.waitFor((s) => s.pushStats().delivered === 2, 2_000);

      const statuses = rx.statuses();
      const view = (id: string) => {
        const { fspReference, ...rest } = statuses.get(id) ?? {};
        return fspReference === undefined ? rest : { ...rest, fspReference: 'ref' };
      };
      expect(view('CLOSED')).toEqual({
        instructionId: 'CLOSED',
        status: 'RJCT',
        reasonCode: 'AC04',
        reason: 'Account closed',
      });
      expect(view('BLOCKED')).toMatchObject({ status: 'RJCT', reasonCode: 'AC06' });
      expect(view('OVER')).toEqual({
        instructionId: 'OVER',
        status: 'RJCT',
        reasonCode: 'AM14',
        reason: 'Amount exceeds agreed limit',
      });
      expect(view('AT-LIMIT')).toEqual({ instructionId: 'AT-LIMIT', status: 'ACSC', fspReference: 'ref' });
      expect(view('UNKNOWN')).toMatchObject({ status: 'ACSC' });
      expect(view('UNKNOWN-2')).toEqual({
        instructionId: 'UNKNOWN-2',
        status: 'RJCT',
        reasonCode: 'AC01',
        reason: 'Unknown account',
      });
      expect(view('KNOWN-2')).toMatchObject({ status: 'ACSC' });
      expect(view('CLOSED-2')).toMatchObject({ reasonCode: 'AC04' });
      // Only the paid instructions count as executions.
      expect([...fsp.executions().keys()].sort()).toEqual([
        'AT-LIMIT',
        'AT-LIMIT-2',
        'KNOWN',
        'KNOWN-2',
        'UNKNOWN',
      ]);
      expect(fsp.subBatches.get('sb-strict')).toMatchObject({ paid: 2, rejected: 4 });
    });

    it('fails a seeded, reproducible share of instructions with MS03', async () => {
      const outcomes = async (seed: number) => {
        const sim = await start({ failureRate: 0.5, seed, pushDisabled: true });
        await call(sim.url, 'POST', '/sub-batches', subBatchBody('sb-random', rx.pushUrl(), ids(200)));
        const { json } = await call(sim.url, 'GET', '/sub-batches/sb-random');
        expect(sim.executions().size).toBe(sim.subBatches.get('sb-random')?.paid);
        return (json as { instructions: { status: string; reasonCode?: string }[] }).instructions;
      };
      const first = await outcomes(7);
      const again = await outcomes(7);
      const other = await outcomes(8);
      expect(again).toEqual(first);
      expect(other.map((i) => i.status)).not.toEqual(first.map((i) => i.status));
      const failed = first.filter((i) => i.status === 'RJCT');
      expect(failed.length).toBeGreaterThan(60);
      expect(failed.length).toBeLessThan(140);
      expect(new Set(failed.map((i) => i.reasonCode))).toEqual(new Set(['MS03']));
      expect(fsp.subBatches.get('sb-random')?.paid).toBe(
        200 - other.filter((i) => i.status === 'RJCT').length,
      );
    });

    it('answers a re-submission like the first time and pays nothing twice; a different body is 409', async () => {
      const body = subBatchBody('sb-again', rx.pushUrl(), ids(3));
      const first = await call(fsp.url, 'POST', '/sub-batches', body);
      const second = await call(fsp.url, 'POST', '/sub-batches', body);
      expect(second).toEqual(first);
      expect(first).toEqual({ status: 202, json: { subBatchId: 'sb-again', accepted: 3 } });
      // A retry may come from a server restarted behind a new public URL: the push URL is not part of the identity.
      const moved = await call(fsp.url, 'POST', '/sub-batches', {
        ...body,
        statusPushUrl: rx.pushUrl('batch-1&x=1'),
      });
      expect(moved).toEqual(first);

      const changed = subBatchBody('sb-again', rx.pushUrl(), [
        { id: 'INS1' },
        { id: 'INS2' },
        { id: 'INS3', amount: '100.01' },
      ]);
      const conflict = await call(fsp.url, 'POST', '/sub-batches', changed);
      expect(conflict.status).toBe(409);
      expect(conflict.json).toEqual({ error: expect.stringContaining('different body') });

      await fsp.waitFor((s) => s.pushStats().delivered === 1, 2_000);
      await new Promise((r) => setTimeout(r, 50));
      expect(Object.fromEntries(fsp.executions())).toEqual({ INS1: 1, INS2: 1, INS3: 1 });
      expect(fsp.subBatches.get('sb-again')?.submissions).toBe(3);
      expect(pushedFor('sb-again')).toHaveLength(1);
      expect(rx.pushes).toHaveLength(1);
    });

    it('pays an instruction again when it arrives in another sub-batch, and executions() shows it', async () => {
      await submit('sb-a', ids(2));
      await submit('sb-b', ids(1));
      expect(Object.fromEntries(fsp.executions())).toEqual({ INS1: 2, INS2: 1 });
      const state = (await call(fsp.url, 'GET', '/_sim/state')).json as { executions: unknown };
      expect(state.executions).toEqual({ instructionsPaid: 2, paidTwiceOrMore: 1 });
    });

    it.each([
      ['a body that is not JSON', '{"subBatchId":', /not JSON/],
      ['a missing subBatchId', { subBatchId: undefined }, /subBatchId must be a non-empty string/],
      ['an unknown rail', { rail: 'pigeon' }, /rail must be one of/],
      ['a lowercase currency', { currency: 'tzs' }, /currency must be an ISO 4217 code/],
      ['a total given as a JSON number', { totalAmount: 200 }, /totalAmount must be a decimal string/],
      [
        'a total that is not the sum',
        { totalAmount: '200.01' },
        /not the sum of the instruction amounts \(200.00\)/,
      ],
      [
        'a push URL that is not http',
        { statusPushUrl: 'ftp://x/y' },
        /statusPushUrl must be an http\(s\) URL/,
      ],
      ['no instructions', { instructions: [] }, /instructions must be a non-empty array/],
    ])('refuses %s with 400', async (_what, change, message) => {
      const body =
        typeof change === 'string' ? change : { ...subBatchBody('sb-bad', rx.pushUrl(), ids(2)), ...change };
      const res = await call(fsp.url, 'POST', '/sub-batches', body);
      expect(res.status).toBe(400);
      expect((res.json as { error: string }).error).toMatch(message);
      expect(fsp.subBatches.size).toBe(0);
    });

    it.each([
      [
        'an amount given as a JSON number',
        { amount: 100 },
        /instructions\[1\]\.amount must be a decimal string/,
      ],
      [
        'an amount in exponent notation',
        { amount: '1e2' },
        /instructions\[1\]\.amount must be a decimal string/,
      ],
      ['a negative amount', { amount: '-100.00' }, /instructions\[1\]\.amount must be a decimal string/],
      ['a zero amount', { amount: '0.00' }, /amount must be greater than zero/],
      ['another number of decimals', { amount: '100.0' }, /has 1 decimals but totalAmount has 2/],
      ['another currency', { currency: 'KES' }, /currency must be the sub-batch's currency TZS/],
      ['no financial address', { financialAddress: '' }, /financialAddress must be a non-empty string/],
      ['a duplicated instruction ID', { instructionId: 'INS1' }, /'INS1' appears more than once/],
      ['no payment modality', { paymentModality: undefined }, /paymentModality must be a non-empty string/],
    ])('refuses an instruction with %s with 400', async (_what, change, message) => {
      const body = subBatchBody('sb-bad', rx.pushUrl(), ids(2));
      const items = body.instructions as Record<string, unknown>[];
      items[1] = { ...items[1], ...change };
      const res = await call(fsp.url, 'POST', '/sub-batches', body);
      expect(res.status).toBe(400);
      expect((res.json as { error: string }).error).toMatch(message);
      expect(JSON.stringify(res.json)).not.toContain('+2557');
      expect(fsp.executions().size).toBe(0);
    });

    it('refuses new sub-batches as a whole with 422 when told to, but still answers known ones', async () => {
      await submit('sb-known', ids(1));
      fsp.configure({ refuseSubBatches: 'Disbursement account frozen' });
      expect(await submit('sb-new', ids(1, 'N'))).toEqual({
        status: 422,
        json: { error: 'Disbursement account frozen' },
      });
      expect((await submit('sb-known', ids(1))).status).toBe(202);
      fsp.configure({ refuseSubBatches: undefined });
      expect((await submit('sb-new', ids(1, 'N'))).status).toBe(202);
    });
  });

  describe('outages, lost pushes and polling', () => {
    it('answers 503 on every connector endpoint while down, keeps its control endpoints, and comes back', async () => {
      fsp.setDown(true);
      expect((await submit('sb-down', ids(1))).status).toBe(503);
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-down')).status).toBe(503);
      expect((await call(fsp.url, 'POST', '/batches/b?command=authorize', {})).status).toBe(503);
      expect((await call(fsp.url, 'POST', '/beneficiaries?command=validate', {})).status).toBe(503);
      expect((await call(fsp.url, 'GET', '/_sim/state')).status).toBe(200);
      expect(fsp.subBatches.size).toBe(0);

      fsp.setDown(false);
      expect((await submit('sb-down', ids(1))).status).toBe(202);
      await fsp.waitFor((s) => s.pushStats().delivered === 1, 2_000);
      expect(fsp.executions().get('INS1')).toBe(1);
    });

    it('with pushes disabled, accepts and pays but only answers GET /sub-batches/{id}', async () => {
      fsp.configure({ pushDisabled: true });
      fsp.setAccount('+255700000009', { status: 'closed' });
      await submit('sb-poll', [{ id: 'OK' }, { id: 'NO', address: '+255700000009' }]);
      await new Promise((r) => setTimeout(r, 100));
      expect(rx.pushes).toHaveLength(0);
      expect(fsp.pushStats()).toMatchObject({ attempts: 0, queued: 0, scheduled: 0 });

      const res = await call(fsp.url, 'GET', '/sub-batches/sb-poll');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        subBatchId: 'sb-poll',
        instructions: [
          { instructionId: 'OK', status: 'ACSC', fspReference: expect.stringMatching(/^SIMFSP-/) },
          { instructionId: 'NO', status: 'RJCT', reasonCode: 'AC04', reason: 'Account closed' },
        ],
      });
      expect((await call(fsp.url, 'GET', '/sub-batches/never-sent')).status).toBe(404);
      expect((await call(fsp.url, 'GET', '/sub-batches/%E0%A4%A')).status).toBe(400);
    });

    it('holds statuses for latencyMs: ACCP until then, final statuses pushed after', async () => {
      fsp.configure({ latencyMs: 300 });
      const started = Date.now();
      await submit('sb-slow', ids(2));
      const early = await call(fsp.url, 'GET', '/sub-batches/sb-slow');
      expect((early.json as { instructions: unknown[] }).instructions).toEqual([
        { instructionId: 'INS1', status: 'ACCP' },
        { instructionId: 'INS2', status: 'ACCP' },
      ]);
      expect(fsp.pushStats().scheduled).toBe(1);
      await fsp.waitFor((s) => s.pushStats().delivered === 1, 2_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      const late = await call(fsp.url, 'GET', '/sub-batches/sb-slow');
      expect((late.json as { instructions: { status: string }[] }).instructions.map((i) => i.status)).toEqual(
        ['ACSC', 'ACSC'],
      );
    });

    it('retries a failed push with back-off until the server takes it', async () => {
      rx.failNext(2);
      await submit('sb-retry', ids(2));
      await fsp.waitFor((s) => s.pushStats().delivered === 1, 3_000);
      expect(rx.pushes.map((p) => p.status)).toEqual([503, 503, 200]);
      expect(pushedFor('sb-retry').map((p) => [p.attempt, p.status, p.outcome])).toEqual([
        [1, 503, 'retrying'],
        [2, 503, 'retrying'],
        [3, 200, 'delivered'],
      ]);
      // 20 ms, then 40 ms.
      expect(pushedFor('sb-retry')[2].at - pushedFor('sb-retry')[0].at).toBeGreaterThanOrEqual(55);
      expect(fsp.executions().get('INS1')).toBe(1);
    });

    it('retries when the server cannot be reached, and gives up after pushMaxAttempts', async () => {
      await start({ pushRetryBaseMs: 10, pushMaxAttempts: 3 });
      const gone = await startPushReceiver();
      const nowhere = gone.pushUrl();
      await gone.close();
      await call(fsp.url, 'POST', '/sub-batches', subBatchBody('sb-lost', nowhere, ids(1)));
      await fsp.waitFor((s) => s.pushStats().gaveUp === 1, 3_000);
      expect(fsp.pushes.map((p) => [p.attempt, p.status, p.outcome])).toEqual([
        [1, 0, 'retrying'],
        [2, 0, 'retrying'],
        [3, 0, 'gave-up'],
      ]);
      expect(fsp.pushes[0].error).toMatch(/ECONNREFUSED/);
      expect(fsp.pushStats()).toMatchObject({
        attempts: 3,
        delivered: 0,
        failedAttempts: 3,
        gaveUp: 1,
        scheduled: 0,
      });
      // The statuses are still there to be polled.
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-lost')).status).toBe(200);
    });

    it('keeps at most pushConcurrency pushes in flight and queues the rest', async () => {
      await start({ pushConcurrency: 2 });
      rx.hold();
      for (let i = 0; i < 6; i++)
        await call(fsp.url, 'POST', '/sub-batches', subBatchBody(`sb-q${i}`, rx.pushUrl(), ids(1, `Q${i}-`)));
      await waitUntil(() => rx.inFlight() === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(rx.inFlight()).toBe(2);
      expect(fsp.pushStats()).toMatchObject({ inFlight: 2, queued: 4 });
      rx.release();
      await fsp.waitFor((s) => s.pushStats().delivered === 6, 3_000);
      expect(rx.maxInFlight()).toBe(2);
    });

    it('forgets the oldest sub-batches past maxRetainedInstructions', async () => {
      await start({ maxRetainedInstructions: 4, pushDisabled: true });
      for (const id of ['sb-1', 'sb-2', 'sb-3'])
        await call(fsp.url, 'POST', '/sub-batches', subBatchBody(id, rx.pushUrl(), ids(2, `${id}-`)));
      expect([...fsp.subBatches.keys()]).toEqual(['sb-2', 'sb-3']);
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-1')).status).toBe(404);
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-3')).status).toBe(200);
    });
  });

  describe('authorization, validation and signatures', () => {
    const authorization = {
      batchID: 'batch-9',
      payerIdentifier: 'TZ-MOF-0001',
      currency: 'TZS',
      amount: '1500000.00',
    };
    const authorize = (body: unknown = authorization, batchId = 'batch-9') =>
      call(fsp.url, 'POST', `/batches/${batchId}?command=authorize`, body);

    it('answers authorization Y, N or 202 pending as configured', async () => {
      expect(await authorize()).toEqual({ status: 200, json: { status: 'Y' } });
      fsp.configure({ authorization: 'N' });
      expect(await authorize()).toEqual({
        status: 200,
        json: { status: 'N', reason: 'Insufficient balance in the disbursement account' },
      });
      fsp.configure({ authorization: 'pending' });
      expect((await authorize()).status).toBe(202);
    });

    it.each([
      ['an amount as a JSON number', { amount: 1500000 }, /amount must be a decimal string/],
      ['no payerIdentifier', { payerIdentifier: undefined }, /payerIdentifier must be a non-empty string/],
      ['a bad currency', { currency: 'TZ' }, /currency must be an ISO 4217 code/],
      ['another batch than the URL', { batchID: 'batch-8' }, /batchID must be the batch ID of the URL/],
    ])('refuses an authorization request with %s with 400', async (_what, change, message) => {
      const res = await authorize({ ...authorization, ...change });
      expect(res.status).toBe(400);
      expect((res.json as { error: string }).error).toMatch(message);
    });

    it('refuses an authorization request without command=authorize', async () => {
      expect((await call(fsp.url, 'POST', '/batches/batch-9', authorization)).status).toBe(400);
    });

    it('validates accounts synchronously, returning closed, blocked and (when strict) unknown ones', async () => {
      fsp.setAccount('+255700000001', { status: 'closed' });
      fsp.setAccount('+255700000002', { status: 'blocked' });
      fsp.setAccount('+255700000003', { status: 'open', limit: '1.00' });
      const body = {
        batchId: 'batch-1',
        destinationDFSPID: 'CRDBTZTZ',
        creditInstructions: [
          { instructionID: 'I1', financialAddress: '+255700000001', amount: '100.00', currency: 'TZS' },
          { instructionID: 'I2', financialAddress: '+255700000002' },
          { instructionID: 'I3', financialAddress: '+255700000003', amount: '100.00', currency: 'TZS' },
          { instructionID: 'I4', financialAddress: '+255799999999' },
        ],
      };
      const headers = { 'X-Registering-Institution-ID': 'tenant-1' };
      const validate = () => call(fsp.url, 'POST', '/beneficiaries?command=validate', body, { headers });
      expect(await validate()).toEqual({
        status: 200,
        json: {
          batchId: 'batch-1',
          numberOfFailedCases: 2,
          failedAccountLookups: [
            { instructionID: 'I1', failureReason: 'AC04 Account closed' },
            { instructionID: 'I2', failureReason: 'AC06 Account blocked' },
          ],
        },
      });
      fsp.configure({ strictAccounts: true });
      const strict = (await validate()).json as { failedAccountLookups: unknown[] };
      expect(strict.failedAccountLookups).toContainEqual({
        instructionID: 'I4',
        failureReason: 'AC01 Unknown account',
      });

      const noTenant = await call(fsp.url, 'POST', '/beneficiaries?command=validate', body);
      expect(noTenant.status).toBe(400);
      const badAmount = await call(
        fsp.url,
        'POST',
        '/beneficiaries?command=validate',
        { ...body, creditInstructions: [{ instructionID: 'I1', financialAddress: '+2557', amount: 1 }] },
        { headers },
      );
      expect(badAmount).toEqual({
        status: 400,
        json: { error: 'creditInstructions[0].amount must be a decimal string such as "100.00"' },
      });
    });

    it('checks X-Signature on every connector request when given a secret', async () => {
      const secret = 'fsp-secret';
      await start({ secret });
      const body = subBatchBody('sb-signed', rx.pushUrl(), ids(1));
      const unsigned = await call(fsp.url, 'POST', '/sub-batches', body);
      expect(unsigned).toEqual({ status: 401, json: { error: 'missing or invalid X-Signature' } });
      expect((await call(fsp.url, 'POST', '/sub-batches', body, { secret: 'other' })).status).toBe(401);
      const stale = signCallback(secret, Math.floor(Date.now() / 1000) - 3_600, JSON.stringify(body));
      expect(
        (await call(fsp.url, 'POST', '/sub-batches', body, { headers: { 'X-Signature': stale } })).status,
      ).toBe(401);
      expect(fsp.subBatches.size).toBe(0);

      expect((await call(fsp.url, 'POST', '/sub-batches', body, { secret })).status).toBe(202);
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-signed')).status).toBe(401);
      expect((await call(fsp.url, 'GET', '/sub-batches/sb-signed', undefined, { secret })).status).toBe(200);
      expect(
        (
          await call(
            fsp.url,
            'POST',
            '/batches/b1?command=authorize',
            { ...authorization, batchID: 'b1' },
            { secret },
          )
        ).status,
      ).toBe(200);
      // Control endpoints are not connector requests.
      expect((await call(fsp.url, 'GET', '/_sim/state')).status).toBe(200);
    });

    it('answers 404 and 405 off the contract', async () => {
      expect((await call(fsp.url, 'GET', '/nothing')).status).toBe(404);
      expect((await call(fsp.url, 'GET', '/sub-batches')).status).toBe(405);
      expect((await call(fsp.url, 'POST', '/sub-batches/x', {})).status).toBe(405);
    });
  });

  describe('control endpoints and handle', () => {
    it('is driven over HTTP under /_sim/', async () => {
      const config = await call(fsp.url, 'POST', '/_sim/config', {
        latencyMs: 5,
        failureRate: 0,
        authorization: 'N',
        strictAccounts: true,
        pbbApiKey: 'other-key',
      });
      expect(config.status).toBe(200);
      expect(config.json).toMatchObject({
        latencyMs: 5,
        authorization: 'N',
        strictAccounts: true,
        pbbApiKey: '(set)',
      });
      expect(fsp.config.pbbApiKey).toBe('other-key');

      const bad = await call(fsp.url, 'POST', '/_sim/config', {
        latencyMs: -1,
        failureRate: 2,
        colour: 'red',
      });
      expect(bad.status).toBe(400);
      expect((bad.json as { error: string }).error).toBe(
        "latencyMs must be an integer from 0 to 86400000; failureRate must be a number from 0 to 1; unknown setting 'colour'",
      );
      expect(fsp.config.latencyMs).toBe(5);

      const accounts = await call(fsp.url, 'POST', '/_sim/accounts', [
        { financialAddress: '+255700000001', status: 'closed' },
        { financialAddress: '+255700000002', status: 'open', limit: '10.00' },
      ]);
      expect(accounts).toEqual({
        status: 200,
        json: { updated: 2, accounts: { open: 1, closed: 1, blocked: 0 } },
      });
      expect(
        (await call(fsp.url, 'POST', '/_sim/accounts', { financialAddress: 'x', status: 'frozen' })).status,
      ).toBe(400);
      expect(
        (
          await call(fsp.url, 'POST', '/_sim/accounts', {
            financialAddress: 'x',
            status: 'open',
            limit: '1,5',
          })
        ).status,
      ).toBe(400);

      expect(await call(fsp.url, 'POST', '/_sim/down', { down: true })).toEqual({
        status: 200,
        json: { down: true },
      });
      expect(fsp.config.down).toBe(true);
      expect((await call(fsp.url, 'POST', '/_sim/down', { down: 'yes' })).status).toBe(400);
      await call(fsp.url, 'POST', '/_sim/down', { down: false });

      fsp.configure({ strictAccounts: false });
      await submit('sb-ctl', ids(2));
      await fsp.waitFor((s) => s.pushStats().delivered === 1, 2_000);
      const state = (await call(fsp.url, 'GET', '/_sim/state')).json as Record<string, unknown>;
      expect(state).toMatchObject({
        url: fsp.url,
        signatureCheck: false,
        accounts: { open: 1, closed: 1, blocked: 0 },
        subBatches: {
          retained: 1,
          retainedInstructions: 2,
          recent: [expect.objectContaining({ subBatchId: 'sb-ctl', paid: 2 })],
        },
        executions: { instructionsPaid: 2, paidTwiceOrMore: 0 },
        pushes: expect.objectContaining({ delivered: 1 }),
        requests: expect.objectContaining({ subBatchSubmissions: 1 }),
      });
      const text = JSON.stringify(state);
      expect(text).not.toContain('+2557');
      expect(text).not.toContain('other-key');

      expect((await call(fsp.url, 'DELETE', '/_sim/state')).status).toBe(204);
      expect(fsp.subBatches.size).toBe(0);
      expect(fsp.executions().size).toBe(0);
      expect(fsp.pushes).toHaveLength(0);
      expect((await call(fsp.url, 'GET', '/_sim/state')).json).toMatchObject({
        accounts: { open: 0, closed: 0 },
      });
      expect(fsp.config.authorization).toBe('N');
      expect((await call(fsp.url, 'GET', '/_sim/nothing')).status).toBe(404);
      expect((await call(fsp.url, 'POST', '/_sim/config', '{')).status).toBe(400);
    });

    it('refuses bad settings and accounts through the handle without changing anything', () => {
      expect(() => fsp.configure({ pushChunkSize: 0 })).toThrow(RangeError);
      expect(() => fsp.configure({ authorization: 'maybe' as 'Y' })).toThrow(/authorization must be/);
      expect(fsp.config.pushChunkSize).toBe(1000);
      expect(() => fsp.setAccount('', { status: 'open' })).toThrow(/financialAddress/);
      expect(() => fsp.setAccount('+1', { status: 'open', limit: '10.5.0' })).toThrow(/limit/);
      return expect(startPayerFsp({ failureRate: 1.5 })).rejects.toThrow(/failureRate/);
    });

    it('times out a waitFor whose condition never holds, and ends waits on close', async () => {
      await expect(fsp.waitFor(() => false, 30)).rejects.toThrow(/Condition not met within 30 ms/);
      const pending = fsp.waitFor(() => false, 5_000);
      await fsp.close();
      await expect(pending).rejects.toThrow(/closed/);
      fsp = await startPayerFsp();
    });
  });

  it('pays and pushes 100 sub-batches of 1,000 instructions quickly', async () => {
    const sim = await start({ pushRetryBaseMs: 20 });
    const bodies = Array.from({ length: 100 }, (_, s) =>
      JSON.stringify(
        subBatchBody(
          `sb-bulk-${s}`,
          rx.pushUrl(),
          Array.from({ length: 1000 }, (_, i) => ({ id: `B${s}-${i}`, amount: `${(i % 900) + 1}.25` })),
        ),
      ),
    );
    const started = Date.now();
    for (let i = 0; i < bodies.length; i += 10)
      await Promise.all(bodies.slice(i, i + 10).map((b) => call(sim.url, 'POST', '/sub-batches', b)));
    await sim.waitFor((s) => s.pushStats().delivered === 100, 20_000);
    const elapsed = Date.now() - started;
    const executions = sim.executions();
    expect(executions.size).toBe(100_000);
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    expect(rx.statuses().size).toBe(100_000);
    expect(elapsed).toBeLessThan(15_000);
  }, 30_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
