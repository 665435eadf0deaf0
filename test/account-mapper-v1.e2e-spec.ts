import { createParticipant, createTenant, functionalId, id12, TestParticipant } from './support/factories';
import {
  bankBeneficiary,
  BAD_IBAN,
  MSISDN,
  v1Request,
  VALID_IBAN,
  VALID_IBAN_2,
} from './support/mapper-fixtures';
import { createTestApp, TestApp } from './support/test-app';

describe('Account mapper, GovStack v1 (/register-beneficiary, /update-beneficiary-details)', () => {
  let t: TestApp;
  let tenantId: string;
  let source: TestParticipant;
  let registry: TestParticipant;

  beforeAll(async () => {
    t = await createTestApp({ MAPPER_MAX_BENEFICIARIES: '100000', BODY_LIMIT: '50mb' });
    tenantId = await createTenant(t.ds);
    source = await createParticipant(t, { tenantId, kind: 'source_bb' });
    registry = await createParticipant(t, { tenantId, kind: 'registration_bb' });
  });
  afterAll(() => t.close());

  const register = (body: unknown, key = source.apiKey) =>
    t
      .http()
      .post('/register-beneficiary')
      .set('X-API-Key', key)
      .send(body as object);
  const update = (body: unknown, key = source.apiKey) =>
    t
      .http()
      .post('/update-beneficiary-details')
      .set('X-API-Key', key)
      .send(body as object);

  const stored = async (fid: string) =>
    (
      (await t.ds.query(
        `SELECT payment_modality, banking_institution_code, status, fa_enc, fa_hash FROM beneficiaries
         WHERE tenant_id = $1 AND source_bb_id = $2 AND functional_id = $3`,
        [tenantId, source.id, fid],
      )) as {
        payment_modality: string;
        banking_institution_code: string | null;
        status: string;
        fa_enc: Buffer;
      }[]
    )[0];

  it('registers beneficiaries and answers 00 with the RequestID echoed', async () => {
    const a = bankBeneficiary();
    const b = {
      PayeeFunctionalID: functionalId(),
      PaymentModality: '01',
      FinancialAddress: '255 712 345 678',
    };
    const body = v1Request(source.code, [a, b]);
    const res = await register(body).expect(200);
    expect(res.body).toEqual({
      ResponseCode: '00',
      ResponseDescription: 'Request successfully received by Pay-BB: 2 registered, 0 failed',
      RequestID: body.RequestID,
    });
    expect(res.headers['x-correlationid']).toBeTruthy();
    const row = await stored(a.PayeeFunctionalID);
    expect(row.payment_modality).toBe('00');
    // Personal data never sits in the clear: the ciphertext does not contain the IBAN.
    expect(row.fa_enc.toString('latin1')).not.toContain(VALID_IBAN);
    const lookup = await t
      .http()
      .get('/beneficiary')
      .query({ payeeIdentity: b.PayeeFunctionalID, requestId: 'LOOKUP000001' })
      .set('X-API-Key', source.apiKey)
      .set('registeringInstitutionId', source.code)
      .expect(200);
    expect(lookup.body.paymentModalityList).toEqual([
      {
        payeeIdentity: b.PayeeFunctionalID,
        paymentModality: '01',
        financialAddress: MSISDN,
        bankingInstitutionCode: null,
      },
    ]);
  });

  it('infers the modality from a valid IBAN or E.164 number when PaymentModality is left out', async () => {
    const iban = { PayeeFunctionalID: functionalId(), FinancialAddress: VALID_IBAN_2 };
    const phone = { PayeeFunctionalID: functionalId(), FinancialAddress: MSISDN };
    const unknown = { PayeeFunctionalID: functionalId(), FinancialAddress: 'ACC-12345' };
    const res = await register(v1Request(source.code, [iban, phone, unknown])).expect(200);
    expect(res.body.FailedCases).toEqual([
      {
        PayeeFunctionalID: unknown.PayeeFunctionalID,
        FailureReason: 'PaymentModality is missing and cannot be inferred from FinancialAddress',
      },
    ]);
    expect((await stored(iban.PayeeFunctionalID)).payment_modality).toBe('00');
    expect((await stored(phone.PayeeFunctionalID)).payment_modality).toBe('01');
  });

  it('lists duplicates and invalid addresses as failed cases and registers the rest (partial success)', async () => {
    const existing = bankBeneficiary();
    await register(v1Request(source.code, [existing])).expect(200);
    const fresh = bankBeneficiary();
    const twice = bankBeneficiary();
    const badIban = bankBeneficiary(BAD_IBAN);
    const badPhone = { PayeeFunctionalID: functionalId(), PaymentModality: '01', FinancialAddress: '12' };
    const badModality = {
      PayeeFunctionalID: functionalId(),
      PaymentModality: '09',
      FinancialAddress: VALID_IBAN,
    };
    const res = await register(
      v1Request(source.code, [fresh, existing, twice, twice, badIban, badPhone, badModality]),
    ).expect(200);
    expect(res.body.ResponseCode).toBe('00');
    expect(res.body.ResponseDescription).toContain('2 registered, 5 failed');
    const reasons = Object.fromEntries(
      (res.body.FailedCases as { PayeeFunctionalID: string; FailureReason: string }[]).map((f) => [
        f.PayeeFunctionalID,
        f.FailureReason,
      ]),
    );
    expect(reasons[existing.PayeeFunctionalID]).toBe(
      'PayeeFunctionalID is already registered by this source BB',
    );
    expect(reasons[twice.PayeeFunctionalID]).toBe('Duplicate PayeeFunctionalID in this request');
    expect(reasons[badIban.PayeeFunctionalID]).toBe('IBAN check digits are wrong (mod-97)');
    expect(reasons[badPhone.PayeeFunctionalID]).toMatch(/E\.164/);
    expect(reasons[badModality.PayeeFunctionalID]).toMatch(/not one of 00, 01, 02, 03, 04/);
    expect(await stored(fresh.PayeeFunctionalID)).toBeDefined();
    expect(await stored(twice.PayeeFunctionalID)).toBeDefined();
    expect(await stored(badIban.PayeeFunctionalID)).toBeUndefined();
  });

  it.each([
    ['missing RequestID', (b: Record<string, unknown>) => delete b.RequestID, /RequestID/],
    [
      'RequestID of 11 characters',
      (b: Record<string, unknown>) => (b.RequestID = 'ABCDEFGHIJK'),
      /RequestID/,
    ],
    [
      'SourceBBID of 13 characters',
      (b: Record<string, unknown>) => (b.SourceBBID = 'ABCDEFGHIJKLM'),
      /SourceBBID/,
    ],
    ['Beneficiaries not an array', (b: Record<string, unknown>) => (b.Beneficiaries = 'x'), /Beneficiaries/],
    ['empty Beneficiaries', (b: Record<string, unknown>) => (b.Beneficiaries = []), /must not be empty/],
    ['unknown top-level field', (b: Record<string, unknown>) => (b.Extra = 1), /Extra/],
    [
      'PayeeFunctionalID of 19 characters',
      (b: { Beneficiaries: Record<string, unknown>[] }) =>
        (b.Beneficiaries[0].PayeeFunctionalID = 'X'.repeat(19)),
      /exactly 20/,
    ],
    [
      'PayeeFunctionalID missing',
      (b: { Beneficiaries: Record<string, unknown>[] }) => delete b.Beneficiaries[0].PayeeFunctionalID,
      /PayeeFunctionalID is required/,
    ],
    [
      'FinancialAddress over 30',
      (b: { Beneficiaries: Record<string, unknown>[] }) =>
        (b.Beneficiaries[0].FinancialAddress = '1'.repeat(31)),
      /FinancialAddress/,
    ],
    [
      'PaymentModality of 3 characters',
      (b: { Beneficiaries: Record<string, unknown>[] }) => (b.Beneficiaries[0].PaymentModality = '000'),
      /PaymentModality/,
    ],
    [
      'PaymentModality a number',
      (b: { Beneficiaries: Record<string, unknown>[] }) => (b.Beneficiaries[0].PaymentModality = 0),
      /must be a string/,
    ],
    [
      'unknown beneficiary field',
      (b: { Beneficiaries: Record<string, unknown>[] }) => (b.Beneficiaries[0].Name = 'x'),
      /Name is not a known field/,
    ],
  ])('refuses %s with 400 ResponseCode 01 and writes nothing', async (_name, mutate, message) => {
    const ben = bankBeneficiary();
    const body = v1Request(source.code, [ben, bankBeneficiary()]);
    (mutate as (b: unknown) => void)(body);
    const res = await register(body).expect(400);
    expect(res.body.ResponseCode).toBe('01');
    expect(res.body.ResponseDescription).toMatch(message);
    expect(res.body.RequestID).toBe(typeof body.RequestID === 'string' ? body.RequestID : null);
    expect(await stored(ben.PayeeFunctionalID)).toBeUndefined();
  });

  it('refuses an unregistered SourceBBID with 400 and ResponseCode 01', async () => {
    const body = v1Request('NOSUCHSOURCE', [bankBeneficiary()]);
    const res = await register(body, registry.apiKey).expect(400);
    expect(res.body).toEqual({
      ResponseCode: '01',
      ResponseDescription:
        "UNKNOWN_SOURCE_BB: Source BB 'NOSUCHSOURCE' is not registered with this Payments BB",
      RequestID: body.RequestID,
    });
  });

  it('lets a registration BB act for a source BB, but not a source BB for another one', async () => {
    await register(v1Request(source.code, [bankBeneficiary()]), registry.apiKey).expect(200);
    const other = await createParticipant(t, { tenantId, kind: 'source_bb' });
    const res = await register(v1Request(source.code, [bankBeneficiary()]), other.apiKey).expect(403);
    expect(res.body.ResponseCode).toBe('01');
  });

  it('answers 401 without credentials and 403 without the mapper:write scope, in the GovStack shape', async () => {
    const body = v1Request(source.code, [bankBeneficiary()]);
    const anon = await t.http().post('/register-beneficiary').send(body).expect(401);
    expect(anon.body).toMatchObject({ ResponseCode: '01', RequestID: body.RequestID });
    const reader = await createParticipant(t, { tenantId, kind: 'registration_bb', scopes: ['mapper:read'] });
    await register(body, reader.apiKey).expect(403);
  });

  it('replays the original answer for a repeated RequestID with the same body, refuses a different body', async () => {
    const body = v1Request(source.code, [bankBeneficiary(), bankBeneficiary()]);
    const first = await register(body).expect(200);
    const again = await register(body).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.body.FailedCases).toBeUndefined(); // not "already registered": it is the same request
    const changed = await register({ ...body, Beneficiaries: [bankBeneficiary()] }).expect(409);
    expect(changed.body.ResponseDescription).toMatch(/IDEMPOTENCY_KEY_REUSED/);
  });

  it('honours an Idempotency-Key header, also when two identical requests race', async () => {
    const body = v1Request(source.code, [bankBeneficiary()]);
    const key = `key-${id12()}`;
    const [a, b] = await Promise.all([
      register(body).set('Idempotency-Key', key),
      register(body).set('Idempotency-Key', key),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(a.body.FailedCases).toBeUndefined();
    const audits = (await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action = 'mapper.beneficiary.register' AND object_id = $2`,
      [tenantId, `${source.id}/${body.Beneficiaries[0].PayeeFunctionalID}`],
    )) as { n: number }[];
    expect(audits[0].n).toBe(1);
  });

  it('registers a functional ID once when two different requests race for it', async () => {
    const ben = bankBeneficiary();
    const results = await Promise.all([
      register(v1Request(source.code, [ben])),
      register(v1Request(source.code, [ben])),
    ]);
    const failed = results.map((r) => r.body.FailedCases?.length ?? 0).sort();
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(failed).toEqual([0, 1]);
  });

  it('updates modality and address, refuses unknown IDs as failed cases, and audits before/after', async () => {
    const ben = bankBeneficiary();
    await register(v1Request(source.code, [ben])).expect(200);
    const before = await stored(ben.PayeeFunctionalID);
    const unknownId = functionalId();
    const res = await update(
      v1Request(source.code, [
        { PayeeFunctionalID: ben.PayeeFunctionalID, PaymentModality: '01', FinancialAddress: MSISDN },
        { PayeeFunctionalID: unknownId, FinancialAddress: VALID_IBAN },
      ]),
    ).expect(200);
    expect(res.body.ResponseDescription).toContain('1 updated, 1 failed');
    expect(res.body.FailedCases).toEqual([
      {
        PayeeFunctionalID: unknownId,
        FailureReason: 'PayeeFunctionalID is not registered by this source BB',
      },
    ]);
    const after = await stored(ben.PayeeFunctionalID);
    expect(after.payment_modality).toBe('01');
    expect(after.fa_enc.equals(before.fa_enc)).toBe(false);
    const audit = (await t.ds.query(
      `SELECT action, before_digest, after_digest, actor_id FROM audit_log
       WHERE tenant_id = $1 AND object_id = $2 ORDER BY id`,
      [tenantId, `${source.id}/${ben.PayeeFunctionalID}`],
    )) as { action: string; before_digest: string | null; after_digest: string; actor_id: string }[];
    expect(audit.map((a) => a.action)).toEqual(['mapper.beneficiary.register', 'mapper.beneficiary.update']);
    expect(audit[1].before_digest).toBe(audit[0].after_digest);
    expect(audit[1].after_digest).not.toBe(audit[1].before_digest);
    expect(audit[1].actor_id).toBe(source.id);
  });

  it('refuses to move a beneficiary to a modality its address does not fit', async () => {
    const ben = bankBeneficiary();
    await register(v1Request(source.code, [ben])).expect(200);
    const res = await update(
      v1Request(source.code, [{ PayeeFunctionalID: ben.PayeeFunctionalID, PaymentModality: '01' }]),
    ).expect(200);
    expect(res.body.FailedCases[0].FailureReason).toMatch(/E\.164/);
    expect((await stored(ben.PayeeFunctionalID)).payment_modality).toBe('00');
  });

  it('keeps tenants apart: the same functional ID lives in two tenants, and neither sees the other', async () => {
    const otherTenant = await createTenant(t.ds);
    const otherSource = await createParticipant(t, {
      tenantId: otherTenant,
      kind: 'source_bb',
      code: source.code,
    });
    const ben = bankBeneficiary();
    await register(v1Request(source.code, [ben])).expect(200);
    await register(
      v1Request(source.code, [{ ...ben, FinancialAddress: VALID_IBAN_2 }]),
      otherSource.apiKey,
    ).expect(200);
    const lookup = (key: string) =>
      t
        .http()
        .get('/beneficiary')
        .query({ payeeIdentity: ben.PayeeFunctionalID, requestId: 'LOOKUP000002' })
        .set('X-API-Key', key)
        .set('registeringInstitutionId', source.code);
    expect((await lookup(source.apiKey).expect(200)).body.paymentModalityList[0].financialAddress).toBe(
      VALID_IBAN,
    );
    expect((await lookup(otherSource.apiKey).expect(200)).body.paymentModalityList[0].financialAddress).toBe(
      VALID_IBAN_2,
    );
    // Naming the other tenant in the header is refused, whatever the body says.
    await register(v1Request(source.code, [bankBeneficiary()]))
      .set('Platform-TenantId', otherTenant)
      .expect(403);
  });

  it('registers 100,000 beneficiaries in one request', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      PayeeFunctionalID: `BULK${id12().slice(0, 6)}${String(i).padStart(10, '0')}`,
      PaymentModality: '01',
      FinancialAddress: `+2557${String(i).padStart(8, '0')}`,
    }));
    const res = await register(v1Request(source.code, many)).expect(200);
    expect(res.body.ResponseDescription).toContain('100000 registered, 0 failed');
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM beneficiaries WHERE tenant_id = $1 AND created_request_id = $2`,
      [tenantId, res.body.RequestID],
    )) as { n: number }[];
    expect(n).toBe(100_000);
  }, 120_000);
});
