import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionalId, id12 } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/** What the README promises after `npm start` on a fresh install: a demo tenant whose registry can register at once. */
describe('Demo bootstrap', () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'pbb-demo-'));
  const tenant = `demo-${id12().toLowerCase()}`;

  beforeAll(async () => {
    t = await createTestApp({
      BOOTSTRAP_DEMO: 'true',
      DEFAULT_TENANT_ID: tenant,
      SECRETS_FILE: join(dir, 'secrets.json'),
    });
  });
  afterAll(() => t.close());

  it('writes the demo credentials once, to a file only its owner can read, and they work as the README shows', async () => {
    const file = join(dir, 'demo-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(file, 'utf8')) as {
      registry: { credentials: { apiKey: string }; participant: { code: string } };
    };
    expect(creds.registry.participant.code).toHaveLength(12);
    const res = await t
      .http()
      .post('/register-beneficiary')
      .set('X-API-Key', creds.registry.credentials.apiKey)
      .send({
        RequestID: id12('R'),
        SourceBBID: creds.registry.participant.code,
        Beneficiaries: [
          {
            PayeeFunctionalID: functionalId(),
            PaymentModality: '00',
            FinancialAddress: 'NL87ABNA4193835510',
          },
        ],
      })
      .expect(200);
    expect(res.body.ResponseCode).toBe('00');
  });

  it('registers the GovStack building-block names, so a voucher call naming one of them gets past 460', async () => {
    const creds = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as {
      buildingBlocks: Record<string, { credentials: { apiKey: string }; participant: { code: string } }>;
    };
    expect(Object.keys(creds.buildingBlocks)).toEqual(
      expect.arrayContaining(['bb-digital-registries', 'bb-registration']),
    );
    const preactivate = (apiKey: string, bb: string) =>
      t
        .http()
        .post('/vouchers/voucher_preactivation')
        .set('X-API-Key', apiKey)
        .send({ voucher_amount: '10.00', voucher_currency: 'USD', voucher_group: 'NO-SUCH-GROUP', Gov_Stack_BB: bb });
    const registries = creds.buildingBlocks['bb-digital-registries'];
    expect(registries.participant.code).toBe('bb-digital-registries');
    // The group is unknown (454): the calling building block itself was found.
    const known = await preactivate(registries.credentials.apiKey, 'bb-digital-registries');
    expect(known.status).toBe(454);
    // The operator may name any building block; one that was never registered is 460.
    const operator = (JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as {
      operator: { credentials: { apiKey: string } };
    }).operator;
    const unknown = await preactivate(operator.credentials.apiKey, 'bb-not-registered');
    expect(unknown.status).toBe(460);
  });
});
