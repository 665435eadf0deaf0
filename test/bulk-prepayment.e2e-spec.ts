import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { PayerFspSimulator, startPayerFsp } from '../apps/simulators/src/payer-fsp/payer-fsp';
import { as, BulkWorld, createBulkWorld, instructionId, registerPayees } from './support/bulk-fixtures';
import { createParticipant, id12 } from './support/factories';
import { MSISDN, VALID_IBAN } from './support/mapper-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** GovStack v1 POST /prepayment-validation (spec 9.1.2) against the payer FSP simulator. */
describe('Pre-payment validation, GovStack v1 (/prepayment-validation)', () => {
  let t: TestApp;
  let fsp: PayerFspSimulator;
  let sink: CallbackReceiver;

  beforeAll(async () => {
    fsp = await startPayerFsp({ port: 0 });
    sink = await startCallbackReceiver({ port: 0 });
    t = await createTestApp({ BULK_MAX_INSTRUCTIONS: '50' });
  });

  afterAll(async () => {
    await t?.close();
    await fsp?.close();
    await sink?.close();
  });

  afterEach(() => fsp.setDown(false));

  const world = (): Promise<BulkWorld> => createBulkWorld(t, { fspUrl: fsp.url, callbackBase: sink.url });

  const request = (
    w: BulkWorld,
    items: { payee: string; amount: number | string; id?: string; currency?: string }[],
  ) => ({
    RequestID: id12('R'),
    SourceBBID: w.source.code,
    BatchID: id12('B'),
    CreditInstructions: items.map((i) => ({
      InstructionID: i.id ?? instructionId(),
      PayeeFunctionalID: i.payee,
      Amount: i.amount,
      Currency: i.currency ?? 'TZS',
      Narration: 'Benefit May',
    })),
  });

  const validate = (w: BulkWorld, body: object, headers: Record<string, string> = {}) =>
    t.http().post('/prepayment-validation').set(as(w.source)).set(headers).send(body);

  const validationsAtFsp = async (): Promise<number> => {
    const res = await fetch(`${fsp.url}/_sim/state`);
    return ((await res.json()) as { requests: { validations: number } }).requests.validations;
  };

  it('answers 00 with no failed instruction when every account is valid, asking the payer FSP once per payee FSP', async () => {
    const w = await world();
    const payees = await registerPayees(t, w, [
      { modality: '00', address: VALID_IBAN, institution: 'ABNANL2A' },
      { modality: '01', address: MSISDN },
      { modality: '01', address: '+255712345670' },
    ]);
    const body = request(w, [
      { payee: payees[0], amount: 100.5 },
      { payee: payees[1], amount: 20 },
      { payee: payees[2], amount: '30.25' },
    ]);
    const before = await validationsAtFsp();
    const res = await validate(w, body).expect(200);
    expect(res.body).toEqual({
      ResponseCode: '00',
      ResponseDescription: 'Pre-payment validation completed: all 3 instruction(s) passed',
      RequestID: body.RequestID,
      BatchID: body.BatchID,
      NumberOfFailedInstructions: 0,
      FailedInstructions: [],
    });
    // Two payee FSPs: ABNANL2A and '' (the payer FSP routes the mobile-money payees itself).
    expect((await validationsAtFsp()) - before).toBe(2);
    // Validation moves no money and creates no batch.
    const [n] = (await t.ds.query(`SELECT count(*)::int AS n FROM batches WHERE tenant_id = $1`, [
      w.tenantId,
    ])) as { n: number }[];
    expect(n.n).toBe(0);
  });

  it('lists unregistered payees, closed accounts, duplicate IDs and bad amounts with their reasons; replays; refuses another body', async () => {
    const w = await world();
    fsp.setAccount('+255711000001', { status: 'closed' });
    const payees = await registerPayees(t, w, [
      { modality: '01', address: '+255711000001' },
      { modality: '01', address: '+255711000002' },
      { modality: '02', address: 'VOUCHER-1' },
    ]);
    const dup = instructionId();
    const body = request(w, [
      { payee: payees[0], amount: 10 },
      { payee: payees[1], amount: 20, id: dup },
      { payee: 'NOTREGISTERED0000001', amount: 5 },
      { payee: payees[1], amount: 7, id: dup },
      { payee: payees[1], amount: '1.234' },
      { payee: payees[2], amount: 3 },
      { payee: payees[1], amount: 4, currency: 'KES' },
    ]);
    const res = await validate(w, body).expect(200);
    const ids = body.CreditInstructions.map((i) => i.InstructionID);
    expect(res.body).toMatchObject({
      ResponseCode: '00',
      ResponseDescription: 'Pre-payment validation completed: 6 of 7 instruction(s) failed',
      RequestID: body.RequestID,
      BatchID: body.BatchID,
      NumberOfFailedInstructions: 6,
    });
    expect(res.body.FailedInstructions).toEqual([
      { InstructionID: ids[0], PayeeFunctionalID: payees[0], FailureReason: 'AC04 Account closed' },
      {
        InstructionID: ids[2],
        PayeeFunctionalID: 'NOTREGISTERED0000001',
        FailureReason: 'BE06 PayeeFunctionalID is not registered, or not active, in the account mapper',
      },
      {
        InstructionID: dup,
        PayeeFunctionalID: payees[1],
        FailureReason: 'AM05 Duplicate InstructionID in this request',
      },
      {
        InstructionID: ids[4],
        PayeeFunctionalID: payees[1],
        FailureReason: 'AM12 Amount has 3 decimals but TZS allows 2',
      },
      {
        InstructionID: ids[5],
        PayeeFunctionalID: payees[2],
        FailureReason: expect.stringMatching(/^AG01 .*voucher/),
      },
      { InstructionID: ids[6], PayeeFunctionalID: payees[1], FailureReason: expect.stringMatching(/^AM03 /) },
    ]);
    for (const f of res.body.FailedInstructions as { FailureReason: string }[])
      expect(f.FailureReason.length).toBeLessThanOrEqual(100);

    // The same RequestID and body: the stored answer, without asking the payer FSP again.
    const before = await validationsAtFsp();
    const again = await validate(w, body).expect(200);
    expect(again.body).toEqual(res.body);
    expect(await validationsAtFsp()).toBe(before);

    // The same RequestID with another body: refused in the GovStack shape.
    const other = { ...body, BatchID: id12('B') };
    const refused = await validate(w, other).expect(409);
    expect(refused.body).toMatchObject({ ResponseCode: '01', RequestID: body.RequestID });
    expect(refused.body.ResponseDescription).toMatch(/^IDEMPOTENCY_KEY_REUSED/);

    // Retrievable: by the source BB itself, and by an operator naming the source.
    const got = await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(w.source)).expect(200);
    expect(got.body).toEqual(res.body);
    const byOperator = await t
      .http()
      .get(`/prepayment-validation/${body.RequestID}`)
      .query({ SourceBBID: w.source.code })
      .set(as(w.operator))
      .expect(200);
    expect(byOperator.body).toEqual(res.body);
  });

  it('answers 00 (a complete check) when every instruction fails its field rules, without calling the payer FSP', async () => {
    const w = await world();
    const before = await validationsAtFsp();
    const body = request(w, [
      { payee: 'FID00000000000000001', amount: 0 },
      { payee: 'FID00000000000000002', amount: 'ten' },
    ]);
    const res = await validate(w, body).expect(200);
    expect(res.body).toMatchObject({ ResponseCode: '00', NumberOfFailedInstructions: 2 });
    expect(
      res.body.FailedInstructions.map((f: { FailureReason: string }) => f.FailureReason.slice(0, 4)),
    ).toEqual(['AM12', 'AM12']);
    expect(await validationsAtFsp()).toBe(before);
  });

  it('answers 01 when the payer FSP is down, lists what it found, stores nothing, and a retry with the same RequestID completes', async () => {
    const w = await world();
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255711000003' }]);
    const body = request(w, [
      { payee: payees[0], amount: 10 },
      { payee: 'NOTREGISTERED0000002', amount: 5 },
    ]);
    fsp.setDown(true);
    const down = await validate(w, body).expect(200);
    expect(down.body).toMatchObject({
      ResponseCode: '01',
      RequestID: body.RequestID,
      BatchID: body.BatchID,
      NumberOfFailedInstructions: 1,
    });
    expect(down.body.ResponseDescription).toMatch(
      /^Account validation at the payer FSP could not be completed/,
    );
    // The payee the FSP could not be asked about is not failed; only the unregistered one is listed.
    expect(down.body.FailedInstructions).toEqual([
      {
        InstructionID: body.CreditInstructions[1].InstructionID,
        PayeeFunctionalID: 'NOTREGISTERED0000002',
        FailureReason: expect.stringMatching(/^BE06 /),
      },
    ]);
    // Not final: nothing stored, nothing to read back.
    await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(w.source)).expect(404);

    fsp.setDown(false);
    const retry = await validate(w, body).expect(200);
    expect(retry.body).toMatchObject({ ResponseCode: '00', NumberOfFailedInstructions: 1 });
    const got = await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(w.source)).expect(200);
    expect(got.body).toEqual(retry.body);
  });

  it('answers 01 when no connector is configured for the payer FSP', async () => {
    const w = await world();
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255711000004' }]);
    await t.ds.query(`DELETE FROM fsp_connectors WHERE tenant_id = $1`, [w.tenantId]);
    const res = await validate(w, request(w, [{ payee: payees[0], amount: 10 }])).expect(200);
    expect(res.body).toMatchObject({
      ResponseCode: '01',
      NumberOfFailedInstructions: 0,
      FailedInstructions: [],
    });
  });

  it('sends the complete answer to X-Callback-URL as well, once', async () => {
    const w = await world();
    const payees = await registerPayees(t, w, [{ modality: '01', address: '+255711000005' }]);
    const body = request(w, [
      { payee: payees[0], amount: 10 },
      { payee: 'NOTREGISTERED0000003', amount: 5 },
    ]);
    const url = `${sink.url}/prepay/${body.RequestID}`;
    const res = await validate(w, body, { 'X-Callback-URL': url }).expect(200);
    const cb = await sink.waitFor((c) => c.path === `/prepay/${body.RequestID}`);
    expect(cb.body).toEqual(res.body);
    expect(cb.headers['x-callback-event']).toBe('bulk.prepayment-validation.result');
    // A replay returns the stored answer and sends nothing new.
    await validate(w, body, { 'X-Callback-URL': url }).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received.filter((c) => c.path === `/prepay/${body.RequestID}`)).toHaveLength(1);
  });

  it("refuses a callback URL outside the source BB's callback bases before doing anything", async () => {
    const w = await world();
    const before = await validationsAtFsp();
    const body = request(w, [{ payee: 'NOTREGISTERED0000004', amount: 5 }]);
    const res = await validate(w, body, { 'X-Callback-URL': 'https://elsewhere.example.org/cb' }).expect(400);
    expect(res.body).toMatchObject({ ResponseCode: '01', RequestID: body.RequestID });
    expect(res.body.ResponseDescription).toMatch(/^CALLBACK_URL_NOT_ALLOWED/);
    expect(await validationsAtFsp()).toBe(before);
    await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(w.source)).expect(404);
  });

  it('refuses a malformed top level with 400 and ResponseCode 01', async () => {
    const w = await world();
    const good = request(w, [{ payee: 'FID00000000000000001', amount: 1 }]);
    const cases: [object, number, RegExp][] = [
      [{ ...good, RequestID: 'short' }, 400, /^VALIDATION_FAILED: RequestID/],
      [{ ...good, BatchID: undefined }, 400, /^VALIDATION_FAILED: BatchID/],
      [{ ...good, CreditInstructions: [] }, 400, /^VALIDATION_FAILED: CreditInstructions/],
      [{ ...good, CreditInstructions: 'x' }, 400, /^VALIDATION_FAILED: CreditInstructions/],
      [{ ...good, Extra: 1 }, 400, /^VALIDATION_FAILED: Extra: property Extra should not exist/],
      [
        { ...good, CreditInstructions: Array.from({ length: 51 }, () => good.CreditInstructions[0]) },
        400,
        /^TOO_MANY_ITEMS/,
      ],
      // A source BB may only act for itself.
      [{ ...good, SourceBBID: 'UNKNOWNSRC01' }, 403, /^FORBIDDEN/],
    ];
    for (const [body, status, description] of cases) {
      const res = await validate(w, body).expect(status);
      expect(res.body.ResponseCode).toBe('01');
      expect(res.body.ResponseDescription).toMatch(description);
    }
    // An operator may act for any source BB of its tenant, but not for one that is not registered.
    const unknown = await t
      .http()
      .post('/prepayment-validation')
      .set(as(w.operator))
      .send({ ...good, SourceBBID: 'UNKNOWNSRC01' })
      .expect(400);
    expect(unknown.body.ResponseDescription).toMatch(/^UNKNOWN_SOURCE_BB/);
  });

  it('lets a source BB read only its own answers, and needs bulk:submit to validate', async () => {
    const w = await world();
    const body = request(w, [{ payee: 'NOTREGISTERED0000005', amount: 5 }]);
    await validate(w, body).expect(200);
    const other = await createParticipant(t, { tenantId: w.tenantId, kind: 'source_bb' });
    await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(other)).expect(404);
    await t
      .http()
      .get(`/prepayment-validation/${body.RequestID}`)
      .query({ SourceBBID: w.source.code })
      .set(as(other))
      .expect(403);
    await t.http().get(`/prepayment-validation/${body.RequestID}`).set(as(w.operator)).expect(400);
    await t.http().post('/prepayment-validation').set(as(w.fsp)).send(body).expect(403);
  });
});
