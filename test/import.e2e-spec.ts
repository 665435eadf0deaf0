import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { FieldCipher } from '@app/platform';
import { Finished, runTs } from './support/spawn';
import { TEST_DATABASE_URL, TEST_ENV } from './support/test-env';

const IMPORT_CLI = 'apps/payments-bb/src/cli/import.ts';
/** The GovStack sandbox seed data, from the shared specs next to the repository. */
const SANDBOX_SEED = resolve(__dirname, '../../shared/specs/govstack-payments-bb/sandbox-seed-data.json');
const SEED_SOURCES = [
  'SourceBBID11',
  'SourceBBID22',
  'e680db9f-223',
  '9d9b39d4-9a0',
  '11668d2a-a8f',
  '049d8b3b-146',
  'd459eaab-ae1',
  '54876c5b-284',
];
const CHILD_TIMEOUT = 120_000;

interface ImportReport {
  tenantId: string;
  sourcesCreated: string[];
  registered: number;
  unchanged: number;
  merchants: number;
  merchantsUnchanged: number;
  vouchers: number;
  vouchersFunded: string;
  skipped: Record<string, number>;
}

interface TenantCounts {
  tenants: number;
  participants: number;
  beneficiaries: number;
  audit: number;
}

const freshTenant = () => `imp-${randomBytes(5).toString('hex')}`;

/** Runs the real import command, as `npm run import -- FILE --tenant T` does. */
const runImport = (file: string, tenantId: string): Promise<Finished> =>
  runTs(IMPORT_CLI, [file, '--tenant', tenantId], { ...TEST_ENV, LOG_LEVEL: 'silent' });

/** The JSON report the command prints as its last line. */
function reportOf(run: Finished): ImportReport {
  // Shows stderr when the command failed.
  expect({ code: run.code, stderr: run.stderr }).toEqual({
    code: 0,
    stderr: run.code === 0 ? run.stderr : '',
  });
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as ImportReport;
}

describe('Seed import CLI (npm run import -- FILE --tenant T)', () => {
  let db: Client;
  let dir: string;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    dir = mkdtempSync(join(tmpdir(), 'pbb-import-'));
  });
  afterAll(async () => {
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const countsFor = async (tenantId: string): Promise<TenantCounts> => {
    const { rows } = await db.query<TenantCounts>(
      `SELECT (SELECT count(*)::int FROM tenants WHERE id = $1) AS tenants,
              (SELECT count(*)::int FROM participants WHERE tenant_id = $1) AS participants,
              (SELECT count(*)::int FROM beneficiaries WHERE tenant_id = $1) AS beneficiaries,
              (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1) AS audit`,
      [tenantId],
    );
    return rows[0];
  };
  const NOTHING: TenantCounts = { tenants: 0, participants: 0, beneficiaries: 0, audit: 0 };

  /** Writes a seed file for one case and returns its path. */
  const seedFile = (name: string, content: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };

  const g2pEntry = (requestId: string, sourceBbId: string, beneficiaries: Record<string, string>[]) => ({
    RequestID: requestId,
    SourceBBID: sourceBbId,
    BatchID: 'BatchID11111',
    Beneficiaries: beneficiaries,
  });

  it(
    'imports the GovStack sandbox seed file, encrypting the addresses, and a re-run changes nothing',
    async () => {
      const tenantId = freshTenant();
      const first = reportOf(await runImport(SANDBOX_SEED, tenantId));
      expect(first).toEqual({
        tenantId,
        sourcesCreated: SEED_SOURCES,
        registered: 8,
        // g2p[2] repeats g2p[1]'s beneficiary with the same data: unchanged, not a conflict.
        unchanged: 1,
        merchants: 7,
        merchantsUnchanged: 0,
        vouchers: 0,
        vouchersFunded: '0',
        skipped: { 'vouchers (Not Existing)': 1, 'vouchers (no --voucher-group)': 33 },
      });

      const sources = await db.query<{ code: string; kind: string; status: string }>(
        `SELECT code, kind, status FROM participants WHERE tenant_id = $1 ORDER BY code`,
        [tenantId],
      );
      expect(sources.rows).toEqual(
        [...SEED_SOURCES].sort().map((code) => ({ code, kind: 'source_bb', status: 'active' })),
      );

      const seed = JSON.parse(readFileSync(SANDBOX_SEED, 'utf8')) as {
        g2p: {
          SourceBBID: string;
          Beneficiaries: { PayeeFunctionalID: string; FinancialAddress: string }[];
        }[];
      };
      const expected = new Map(
        seed.g2p.flatMap((e) =>
          e.Beneficiaries.map((b) => [`${e.SourceBBID}/${b.PayeeFunctionalID}`, b.FinancialAddress]),
        ),
      );
      const stored = await db.query<{
        source: string;
        functional_id: string;
        payment_modality: string;
        fa_enc: Buffer;
        fa_key_id: string;
      }>(
        `SELECT p.code AS source, b.functional_id, b.payment_modality, b.fa_enc, b.fa_key_id
         FROM beneficiaries b JOIN participants p ON p.id = b.source_bb_id
         WHERE b.tenant_id = $1`,
        [tenantId],
      );
      expect(stored.rows).toHaveLength(8);
      expect(new Set(stored.rows.map((r) => `${r.source}/${r.functional_id}`))).toEqual(
        new Set(expected.keys()),
      );
      const cipher = new FieldCipher(
        TEST_ENV.FIELD_ENCRYPTION_KEY_ID,
        Buffer.from(TEST_ENV.FIELD_ENCRYPTION_KEY, 'base64'),
        new Map(),
        Buffer.from(TEST_ENV.FIELD_HASH_KEY, 'base64'),
      );
      for (const row of stored.rows) {
        const iban = expected.get(`${row.source}/${row.functional_id}`)!;
        expect(row.payment_modality).toBe('00'); // inferred from the valid IBAN
        expect(row.fa_enc.toString('latin1')).not.toContain(iban);
        expect(row.fa_enc.toString('hex')).not.toContain(Buffer.from(iban).toString('hex'));
        expect(cipher.open(row.fa_enc, row.fa_key_id)).toBe(iban);
      }

      const before = await countsFor(tenantId);
      // 8 source BBs, 8 beneficiaries, 7 merchants.
      expect(before).toEqual({ tenants: 1, participants: 8, beneficiaries: 8, audit: 8 + 8 + 7 });

      const again = reportOf(await runImport(SANDBOX_SEED, tenantId));
      expect(again).toEqual({
        tenantId,
        sourcesCreated: [],
        registered: 0,
        unchanged: 9,
        merchants: 0,
        merchantsUnchanged: 7,
        vouchers: 0,
        vouchersFunded: '0',
        skipped: { 'vouchers (Not Existing)': 1, 'vouchers (no --voucher-group)': 33 },
      });
      expect(await countsFor(tenantId)).toEqual(before);
    },
    CHILD_TIMEOUT,
  );

  it(
    'refuses a file that is not JSON and loads nothing',
    async () => {
      const tenantId = freshTenant();
      const file = seedFile(
        'invalid.json',
        '{\n  "g2p": [\n    { "RequestID": "RequestID111" "SourceBBID": "SourceBBID11" }\n  ]\n}\n',
      );
      const run = await runImport(file, tenantId);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(
        new RegExp(`${file} refused, nothing loaded: Not valid JSON at line 3, column \\d+: .*position \\d+`),
      );
      expect(run.stdout).toBe('');
      expect(await countsFor(tenantId)).toEqual(NOTHING);
    },
    CHILD_TIMEOUT,
  );

  it(
    'refuses an over-long PayeeFunctionalID, naming the entry at fault, and loads nothing',
    async () => {
      const tenantId = freshTenant();
      const file = seedFile('long-id.json', {
        g2p: [
          g2pEntry('RequestID111', 'SourceBBID11', [
            { PayeeFunctionalID: 'PayeeFunctionalID111', FinancialAddress: 'NL87ABNA4193835510' },
            { PayeeFunctionalID: 'PayeeFunctionalID11122222', FinancialAddress: 'NL64ABNA6201350640' },
          ]),
        ],
      });
      const run = await runImport(file, tenantId);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(
        `${file} refused, nothing loaded: g2p[0].Beneficiaries[1].PayeeFunctionalID must be 1-20 characters`,
      );
      expect(await countsFor(tenantId)).toEqual(NOTHING);
    },
    CHILD_TIMEOUT,
  );

  it(
    'refuses a file whose second entry has an IBAN with wrong check digits, rolling back the first entry too',
    async () => {
      const tenantId = freshTenant();
      const file = seedFile('bad-iban.json', {
        g2p: [
          g2pEntry('RequestID111', 'SourceBBID11', [
            { PayeeFunctionalID: 'PayeeFunctionalID111', FinancialAddress: 'NL87ABNA4193835510' },
          ]),
          g2pEntry('RequestID222', 'SourceBBID22', [
            {
              PayeeFunctionalID: 'PayeeFunctionalID222',
              PaymentModality: '00',
              FinancialAddress: 'NL65ABNA6201350640',
            },
          ]),
        ],
      });
      const run = await runImport(file, tenantId);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(
        `${file} refused, nothing loaded: g2p[1].Beneficiaries[0] (PayeeFunctionalID222): IBAN check digits are wrong (mod-97)`,
      );
      // The address itself is personal data: it is not echoed.
      expect(run.stderr).not.toContain('NL65ABNA6201350640');
      expect(await countsFor(tenantId)).toEqual(NOTHING);
    },
    CHILD_TIMEOUT,
  );
});
