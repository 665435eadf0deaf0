import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTs } from './support/spawn';
import { createTestApp, TestApp } from './support/test-app';
import { TEST_ENV } from './support/test-env';

const IMPORT_CLI = 'apps/payments-bb/src/cli/import.ts';
const MDMS_BUSINESS_SERVICES = resolve(
  __dirname,
  '../../shared/specs/digit/egov-mdms-data_data_pb_BillingService_BusinessService.json',
);
const MDMS_ID_FORMATS = resolve(
  __dirname,
  '../../shared/specs/digit/egov-mdms-data_data_pb_common-masters_IdFormat.json',
);

describe('DIGIT masters seeded from eGov MDMS files (npm run import)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const run = (file: string) => runTs(IMPORT_CLI, [file], { ...TEST_ENV, LOG_LEVEL: 'silent' });

  it('loads business services and ID formats as published, again without change, and refuses a bad file whole', async () => {
    const first = await run(MDMS_BUSINESS_SERVICES);
    expect({ code: first.code, stderr: first.code === 0 ? '' : first.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const report = JSON.parse(first.stdout.trim().split('\n').pop()!) as {
      tenantId: string;
      businessServices: number;
    };
    expect(report.tenantId).toBe('pb');
    expect(report.businessServices).toBeGreaterThan(5);
    const [pt] = (await t.ds.query(
      `SELECT * FROM digit_business_services WHERE tenant_id = 'pb' AND code = 'PT'`,
    )) as {
      part_payment_allowed: boolean;
      min_amount_payable: string;
      collection_modes_not_allowed: string[];
    }[];
    expect(pt).toMatchObject({
      part_payment_allowed: true,
      min_amount_payable: '10000',
      collection_modes_not_allowed: ['DD', 'OFFLINE_NEFT', 'OFFLINE_RTGS', 'POSTAL_ORDER'],
    });
    expect((await run(MDMS_BUSINESS_SERVICES)).code).toBe(0);
    const [{ n }] = (await t.ds.query(
      `SELECT count(*)::int AS n FROM digit_business_services WHERE tenant_id = 'pb'`,
    )) as { n: number }[];
    expect(n).toBe(report.businessServices);

    const ids = await run(MDMS_ID_FORMATS);
    expect(ids.code).toBe(0);
    const [fmt] = (await t.ds.query(
      `SELECT format FROM digit_id_formats WHERE tenant_id = 'pb' AND id_name = 'pt.receipt.id'`,
    )) as { format: string }[];
    expect(fmt.format).toBe('PT/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_EGOV_COMMON]');

    const dir = mkdtempSync(join(tmpdir(), 'mdms-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        tenantId: 'zz',
        moduleName: 'BillingService',
        BusinessService: [
          { code: 'OK', businessService: 'Ok' },
          { code: 'BAD', businessService: 'Bad', collectionModesNotAllowed: ['BITCOIN'] },
        ],
      }),
    );
    const refused = await run(bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/INVALID_PAYMENTMODE/);
    expect(await t.ds.query(`SELECT 1 FROM digit_business_services WHERE tenant_id = 'zz'`)).toEqual([]);
  });
});
