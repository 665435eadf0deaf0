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
});
