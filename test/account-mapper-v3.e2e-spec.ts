import { CallbackReceiver, startCallbackReceiver } from '../apps/simulators/src/callback-receiver';
import { createParticipant, createTenant, functionalId, id12, TestParticipant } from './support/factories';
import { BAD_IBAN, MSISDN, VALID_IBAN } from './support/mapper-fixtures';
import { createTestApp, TestApp } from './support/test-app';

interface CallbackBody {
  requestID: string;
  registerRequestID: string;
  numberFailedCases: number;
  failedCases: Record<string, string>[];
}

describe('Account mapper, GovStack v3 (/identityAccountMapper/beneficiary, /beneficiary)', () => {
  let t: TestApp;
  let receiver: CallbackReceiver;
  let tenantId: string;
  let source: TestParticipant;

  beforeAll(async () => {
    t = await createTestApp();
    receiver = await startCallbackReceiver();
    tenantId = await createTenant(t.ds);
    source = await createParticipant(t, {
      tenantId,
      kind: 'source_bb',
      callbackBases: [`${receiver.url}/registry/`],
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const callbackUrl = () => `${receiver.url}/registry/cb-${id12()}`;
  const registerV3 = (body: object, url = callbackUrl(), institution = source.code) =>
    t
      .http()
      .post('/identityAccountMapper/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('X-Callback-URL', url)
      .set('X-Registering-Institution-ID', institution)
      .send(body);
  const callbackTo = async (url: string) => {
    const path = new URL(url).pathname;
    const cb = await receiver.waitFor((c) => c.path === path && c.status === 200, 15_000);
    return cb;
  };
  const lookup = (payeeIdentity: string) =>
    t
      .http()
      .get('/beneficiary')
      .query({ payeeIdentity, requestId: 'LKP000000001' })
      .set('X-API-Key', source.apiKey)
      .set('registeringInstitutionId', source.code);

  it('acknowledges at once and sends the failed cases to the callback URL, signed', async () => {
    const ok = functionalId();
    const bad = functionalId();
    const url = callbackUrl();
    const requestId = id12('R');
    const ack = await registerV3(
      {
        RequestID: requestId,
        Beneficiaries: [
          {
            payeeIdentity: ok,
            PaymentModality: '00',
            FinancialAddress: VALID_IBAN,
            bankingInstitutionCode: 'ABNANL2A',
          },
          { payeeIdentity: bad, PaymentModality: '00', FinancialAddress: BAD_IBAN },
        ],
      },
      url,
    ).expect(200);
    expect(ack.body).toEqual({
      responseCode: '00',
      responseDescription: 'Request successfully received by Pay-BB',
      requestID: requestId,
    });

    const cb = await callbackTo(url);
    const body = cb.body as CallbackBody;
    expect(body.registerRequestID).toBe(requestId);
    expect(body.requestID).toHaveLength(12);
    expect(body.numberFailedCases).toBe(1);
    expect(body.failedCases).toEqual([
      { payeeIdentity: bad, paymentModality: '00', failureReason: 'IBAN check digits are wrong (mod-97)' },
    ]);
    expect(cb.headers['x-correlationid']).toBe(ack.headers['x-correlationid']);
    const { verifyCallbackSignature } = await import('@app/callbacks');
    expect(
      verifyCallbackSignature(source.callbackSecret, String(cb.headers['x-signature']), cb.rawBody),
    ).toBe(true);
    // The callback carries no financial address.
    expect(cb.rawBody).not.toContain(VALID_IBAN);

    const found = await lookup(ok).expect(200);
    expect(found.body).toEqual({
      requestId: 'LKP000000001',
      paymentModalityList: [
        {
          payeeIdentity: ok,
          paymentModality: '00',
          financialAddress: VALID_IBAN,
          bankingInstitutionCode: 'ABNANL2A',
        },
      ],
    });
    await lookup(bad).expect(404);

    const status = await t
      .http()
      .get(`/identityAccountMapper/requests/${requestId}`)
      .set('X-API-Key', source.apiKey)
      .set('X-Registering-Institution-ID', source.code)
      .expect(200);
    expect(status.body).toMatchObject({
      requestID: requestId,
      status: 'completed',
      numberOfBeneficiaries: 2,
      numberFailedCases: 1,
    });
    // Once processed, the sealed request payload is dropped: personal data is kept only in the mapper.
    const [row] = (await t.ds.query(
      `SELECT payload_enc FROM mapper_requests WHERE tenant_id = $1 AND request_id = $2`,
      [tenantId, requestId],
    )) as { payload_enc: Buffer | null }[];
    expect(row.payload_enc).toBeNull();
  });

  it('reports a functional ID registered earlier as a failed case, not an error', async () => {
    const fid = functionalId();
    const first = callbackUrl();
    await registerV3(
      {
        RequestID: id12('R'),
        Beneficiaries: [{ payeeIdentity: fid, paymentModality: '01', financialAddress: MSISDN }],
      },
      first,
    ).expect(200);
    await callbackTo(first);
    const second = callbackUrl();
    await registerV3(
      {
        requestID: id12('R'),
        beneficiaries: [{ payeeIdentity: fid, paymentModality: '01', financialAddress: MSISDN }],
      },
      second,
    ).expect(200);
    const body = (await callbackTo(second)).body as CallbackBody;
    expect(body.failedCases).toEqual([
      {
        payeeIdentity: fid,
        paymentModality: '01',
        failureReason: 'PayeeFunctionalID is already registered by this source BB',
      },
    ]);
  });

  it('updates through PUT, deactivates with status 0, and reports unknown IDs in the update callback', async () => {
    const fid = functionalId();
    const reg = callbackUrl();
    await registerV3(
      {
        RequestID: id12('R'),
        Beneficiaries: [{ payeeIdentity: fid, PaymentModality: '00', FinancialAddress: VALID_IBAN }],
      },
      reg,
    ).expect(200);
    await callbackTo(reg);
    const unknown = functionalId();
    const url = callbackUrl();
    const requestID = id12('U');
    await t
      .http()
      .put('/identityAccountMapper/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('X-Callback-URL', url)
      .send({
        requestID,
        sourceBBID: source.code,
        beneficiaries: [
          { payeeIdentity: fid, paymentModality: '01', financialAddress: '00255712345678' },
          { payeeIdentity: unknown, status: '0' },
        ],
      })
      .expect(200);
    const body = (await callbackTo(url)).body as CallbackBody;
    expect(body).toMatchObject({ registerRequestID: requestID, numberFailedCases: 1 });
    expect(body.failedCases).toEqual([
      { payeeFunctionalID: unknown, failureReason: 'PayeeFunctionalID is not registered by this source BB' },
    ]);
    expect((await lookup(fid).expect(200)).body.paymentModalityList[0]).toMatchObject({
      paymentModality: '01',
      financialAddress: MSISDN,
    });

    const off = callbackUrl();
    await t
      .http()
      .put('/identityAccountMapper/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('X-Callback-URL', off)
      .send({
        requestID: id12('U'),
        sourceBBID: source.code,
        beneficiaries: [{ payeeIdentity: fid, status: '0' }],
      })
      .expect(200);
    await callbackTo(off);
    await lookup(fid).expect(404);
  });

  it('resolves many functional IDs at once and names the ones it cannot resolve', async () => {
    const ids = [functionalId(), functionalId(), functionalId()];
    const url = callbackUrl();
    await registerV3(
      {
        RequestID: id12('R'),
        Beneficiaries: ids.map((id) => ({
          payeeIdentity: id,
          PaymentModality: '01',
          FinancialAddress: MSISDN,
        })),
      },
      url,
    ).expect(200);
    await callbackTo(url);
    const missing = functionalId();
    const res = await t
      .http()
      .put('/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('registeringInstitutionId', source.code)
      .send({ requestId: 'BULK00000001', payeePartyIds: [...ids, missing] })
      .expect(200);
    expect(res.body.requestId).toBe('BULK00000001');
    expect(
      res.body.paymentModalityList.map((e: { payeeIdentity: string }) => e.payeeIdentity).sort(),
    ).toEqual([...ids].sort());
    expect(res.body.unresolvedPayeeIdentities).toEqual([missing]);
  });

  it('refuses a callback URL outside the institution’s registered bases, and missing headers, with 400', async () => {
    const body = {
      RequestID: id12('R'),
      Beneficiaries: [{ payeeIdentity: functionalId(), PaymentModality: '01', FinancialAddress: MSISDN }],
    };
    const outside = await registerV3(body, `${receiver.url}/elsewhere/cb`).expect(400);
    expect(outside.body).toMatchObject({ ResponseCode: '01', RequestID: body.RequestID });
    expect(outside.body.ResponseDescription).toMatch(/CALLBACK_URL_NOT_ALLOWED/);
    await registerV3(body, 'ftp://example.org/registry/cb').expect(400);
    const noCallback = await t
      .http()
      .post('/identityAccountMapper/beneficiary')
      .set('X-API-Key', source.apiKey)
      .set('X-Registering-Institution-ID', source.code)
      .send(body)
      .expect(400);
    expect(noCallback.body.ResponseDescription).toMatch(/X-Callback-URL/);
    // A source BB may act only for itself, whatever institution it names.
    await registerV3(body, callbackUrl(), 'NOSUCHSOURCE').expect(403);
    await registerV3({ ...body, Beneficiaries: [{ payeeIdentity: 'X'.repeat(21) }] }).expect(400);
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM mapper_requests WHERE tenant_id = $1 AND request_id = $2`,
      [tenantId, body.RequestID],
    )) as { n: number }[];
    expect(n).toBe(0);
  });

  it('replays the acknowledgement for a retried request and processes it once', async () => {
    const url = callbackUrl();
    const body = {
      RequestID: id12('R'),
      Beneficiaries: [{ payeeIdentity: functionalId(), PaymentModality: '01', FinancialAddress: MSISDN }],
    };
    const [a, b] = await Promise.all([registerV3(body, url), registerV3(body, url)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    await callbackTo(url);
    const path = new URL(url).pathname;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.filter((c) => c.path === path)).toHaveLength(1);
    await registerV3({ ...body, Beneficiaries: [] }, url).expect(400);
    const reused = await registerV3(
      { ...body, Beneficiaries: [{ payeeIdentity: functionalId(), PaymentModality: '02' }] },
      url,
    ).expect(409);
    expect(reused.body.ResponseCode).toBe('01');
  });

  it('keeps tenants apart in lookups', async () => {
    const otherTenant = await createTenant(t.ds);
    const stranger = await createParticipant(t, { tenantId: otherTenant, kind: 'registration_bb' });
    const res = await t
      .http()
      .put('/beneficiary')
      .set('X-API-Key', stranger.apiKey)
      .set('registeringInstitutionId', source.code)
      .send({ requestId: 'BULK00000002', payeePartyIds: [functionalId()] })
      .expect(400);
    expect(res.body.ResponseDescription).toMatch(/UNKNOWN_SOURCE_BB/);
  });
});
