import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { SeedImporterService } from '../seed-import/seed-importer.service';
import { parseSeedFile, SeedFormatError } from '../seed-import/seed-file';
import { SeedConflictError } from '../seed-import/seed-importer.service';
import { DigitSeedImporter, isMdmsFile } from '../digit/seed/digit-seed-importer';
import { exitWith, parseFlags, withCliContext } from './cli-context';

const USAGE = `Usage: npm run import -- FILE [--tenant ID] [--voucher-group CODE]
A DIGIT MDMS file (moduleName BillingService or common-masters: business services, tax heads, ID formats) is
loaded as DIGIT billing masters of the file's tenantId instead.
Loads GovStack sandbox seed data into the tenant (default: DEFAULT_TENANT_ID): g2p entries (source BBs and
their beneficiaries), merchants, and legacy vouchers into the named voucher group (which must exist; its
program funds the vouchers still outstanding). All or nothing; re-running the same file changes nothing.
Source BBs it creates get credentials you can issue with POST /participants/{id}/rotate-credentials.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find(
    (a, i) => !a.startsWith('--') && !['--tenant', '--voucher-group'].includes(args[i - 1] ?? ''),
  );
  const flags = parseFlags(args);
  if (!file || flags.has('help')) exitWith(USAGE, flags.has('help') ? 0 : 2);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    exitWith(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (isMdmsFile(json)) {
    const mdms = json;
    await withCliContext(async (ctx) => {
      try {
        process.stdout.write(`${JSON.stringify(await ctx.get(DigitSeedImporter).import(mdms))}\n`);
      } catch (err) {
        exitWith(`${file} refused, nothing loaded: ${(err as Error).message}`);
      }
    });
    return;
  }
  let seed;
  try {
    seed = parseSeedFile(text);
  } catch (err) {
    if (err instanceof SeedFormatError) exitWith(`${file} refused, nothing loaded: ${err.message}`);
    throw err;
  }
  await withCliContext(async (ctx, config) => {
    const tenantId = flags.get('tenant')?.[0] ?? config.env.DEFAULT_TENANT_ID;
    try {
      const report = await ctx
        .get(SeedImporterService)
        .import(tenantId, seed, { voucherGroup: flags.get('voucher-group')?.[0] });
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } catch (err) {
      if (err instanceof SeedConflictError) exitWith(`${file} refused, nothing loaded: ${err.message}`);
      throw err;
    }
  });
}

main().catch((err: unknown) => exitWith(`import failed: ${(err as Error).message}`));
