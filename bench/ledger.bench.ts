import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Account, LedgerService, TransferInput, TransferResult } from '@app/ledger';
import { AuditService } from '@app/platform';
import { LedgerApiModule } from '../apps/payments-bb/src/ledger-api/ledger-api.module';
import { AfterWrite, TransferBatcher } from '../apps/payments-bb/src/ledger-api/transfer-batcher';
import { ParticipantsService } from '../apps/payments-bb/src/participants/participants.service';
import { print, startBenchApp } from './support';

const SINGLE_MAX = Number(process.env.BENCH_SINGLE_TRANSFERS ?? 20_000);
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BATCHED = Number(process.env.BENCH_BATCHED_TRANSFERS ?? 100_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 10_000);
const HTTP = process.env.BENCH_HTTP !== '0';
const CLEARING_ACCOUNTS = 6;
const TENANT = 'bench-ledger';

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
/** Minor units of USD as the API's decimal string. */
const usd = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

interface SingleRun {
  done: number;
  failed: number;
  seconds: number;
  tps: number;
  p50: number;
  p99: number;
}

/** CONCURRENCY callers, each sending its next transfer when the last is answered, for SINGLE_MAX or SINGLE_SECONDS. */
async function single(send: (i: number) => Promise<unknown>, offset: number): Promise<SingleRun> {
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  const deadline = Date.now() + SINGLE_SECONDS * 1_000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SINGLE_MAX && Date.now() < deadline) {
        const i = offset + next++;
        const t0 = process.hrtime.bigint();
        try {
          await send(i);
          latencies.push(ms(t0));
        } catch (err) {
          if (++failed <= 3) print(`  transfer ${i} failed: ${(err as Error).message}`);
        }
      }
    }),
  );
  const s = seconds(start);
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Number(percentile(latencies, q).toFixed(2));
  return {
    done: latencies.length,
    failed,
    seconds: s,
    tps: Math.round(latencies.length / s),
    p50: p(50),
    p99: p(99),
  };
}

const describeSingle = (name: string, r: SingleRun, extra = '') =>
  `${name}: ${r.done} transfers at concurrency ${CONCURRENCY} in ${r.seconds.toFixed(2)} s = ${r.tps}/s ` +
  `(latency p50 ${r.p50} ms, p99 ${r.p99} ms; ${r.failed} failed${extra})`;

/**
 * Ledger throughput on a few hot accounts, against the real application and a fresh database:
 * (a) single transfers at concurrency 32 through the TransferBatcher (group commit), in-process; also with
 *     an audit row per transfer written in the flush, and over HTTP as POST /ledger/transfers stands;
 * (b) lists of BATCH_SIZE transfers in one transaction each: LedgerService.createTransfers in-process, and
 *     POST /ledger/transfers/batch over HTTP when the route exists.
 * Afterwards the books must reconcile. Last line: JSON figures.
 */
async function main(): Promise<void> {
  const { app, base } = await startBenchApp('payments_bench_ledger');
  const ds = app.get(DataSource);
  const ledger = app.get(LedgerService);
  const audit = app.get(AuditService);
  // Counts the ledger calls (flushes) of every caller, the app's own batcher included.
  let flushes = 0;
  const createTransfers = ledger.createTransfers.bind(ledger);
  ledger.createTransfers = (...args) => {
    flushes++;
    return createTransfers(...args);
  };
  // Once the app registers the batcher, POST /ledger/transfers goes through it and is what (a) reports.
  const provided = (Reflect.getMetadata('providers', LedgerApiModule) ?? []) as unknown[];
  const registered = provided.includes(TransferBatcher)
    ? app.get(TransferBatcher, { strict: false })
    : undefined;
  const batcher = registered ?? new TransferBatcher(ledger, ds);

  const { credentials } = await app.get(ParticipantsService).create({
    tenantId: TENANT,
    code: 'BENCHLEDGER1',
    kind: 'source_bb',
    scopes: ['ledger:write', 'ledger:read'],
  });
  const headers = { 'Content-Type': 'application/json', 'X-API-Key': credentials.apiKey };
  const account = (code: string, kind: Account['kind'], limited = false) =>
    ledger.createAccount(undefined, TENANT, {
      code,
      name: code,
      currency: 'USD',
      kind,
      debitsMustNotExceedCredits: limited,
    });
  const treasury = await account('treasury:USD', 'external');
  const program = await account('program:bench:USD', 'program_funding', true);
  const clearing: Account[] = [];
  for (let i = 0; i < CLEARING_ACCOUNTS; i++)
    clearing.push(await account(`clearing:${i}:USD`, 'disbursement_clearing'));
  await ledger.createTransfers(undefined, TENANT, [
    {
      id: randomUUID(),
      kind: 'posted',
      debitAccountId: treasury.id,
      creditAccountId: program.id,
      amount: 10n ** 15n,
      currency: 'USD',
      code: 'funding',
    },
  ]);
  let expected = 1;
  const payout = (i: number): TransferInput => ({
    id: randomUUID(),
    kind: 'posted',
    debitAccountId: program.id,
    creditAccountId: clearing[i % CLEARING_ACCOUNTS].id,
    amount: BigInt(1 + (i % 997)),
    currency: 'USD',
    code: 'payout',
    referenceType: 'bench',
    referenceId: String(i),
  });
  const payoutBody = (i: number) => ({
    id: randomUUID(),
    kind: 'posted',
    debitAccountId: program.id,
    creditAccountId: clearing[i % CLEARING_ACCOUNTS].id,
    amount: usd(1 + (i % 997)),
    currency: 'USD',
    code: 'payout',
    reference: { type: 'bench', id: String(i) },
  });
  const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers, body });
  print(
    `ledger bench: 1 funded programme account (debits within credits) paying ${CLEARING_ACCOUNTS} clearing accounts, one tenant`,
  );

  // Warm-up: JIT, pool connections, plans.
  await Promise.all(Array.from({ length: 2_000 }, (_, i) => batcher.submit(TENANT, payout(i))));
  expected += 2_000;
  let offset = 2_000;

  // (a) Single transfers through the batcher, in-process.
  flushes = 0;
  const plain = await single((i) => batcher.submit(TENANT, payout(i)), offset);
  offset += plain.done + plain.failed;
  expected += plain.done;
  print(
    describeSingle(
      'single (in-process, TransferBatcher)',
      plain,
      `; ${(plain.done / Math.max(flushes, 1)).toFixed(1)} per flush`,
    ),
  );

  // With what LedgerApiService.createOne adds, an audit row per new transfer in the same transaction: first
  // each caller writing its own row (AuditService as it is: one INSERT per transfer), then one INSERT per
  // flush for all its callers (what a set-wise AuditService method would allow).
  const actor = { id: 'bench', kind: 'source_bb' };
  const auditBatch = {
    tenantId: TENANT,
    actor,
    action: 'ledger.transfer.create',
    objectType: 'ledger_transfer',
  };
  const view = (r: TransferResult) => ({
    objectId: r.transfer.id,
    after: { id: r.transfer.id, amount: r.transfer.amount.toString() },
  });
  const ownRow =
    (correlationId: string): AfterWrite =>
    async (m, written) => {
      const created = written.filter((w) => w.result.created);
      if (created.length)
        await audit.recordBatch(
          m,
          { ...auditBatch, correlationId },
          created.map((w) => view(w.result)),
        );
    };
  const sharedRows: AfterWrite<string> = async (m, written) => {
    const created = written.filter((w) => w.result.created);
    if (created.length)
      await audit.recordBatch(
        m,
        { ...auditBatch, correlationId: created[0].context },
        created.map((w) => view(w.result)),
      );
  };
  flushes = 0;
  const audited = await single((i) => batcher.submit(TENANT, payout(i), ownRow(randomUUID())), offset);
  offset += audited.done + audited.failed;
  expected += audited.done;
  print(
    describeSingle(
      'single + own audit INSERT each (in-process)',
      audited,
      `; ${(audited.done / Math.max(flushes, 1)).toFixed(1)} per flush`,
    ),
  );
  flushes = 0;
  const shared = await single((i) => batcher.submit(TENANT, payout(i), sharedRows, randomUUID()), offset);
  offset += shared.done + shared.failed;
  expected += shared.done;
  print(
    describeSingle(
      'single + one audit INSERT per flush (in-process)',
      shared,
      `; ${(shared.done / Math.max(flushes, 1)).toFixed(1)} per flush`,
    ),
  );

  // Over HTTP, as POST /ledger/transfers is today.
  let overHttp: SingleRun | undefined;
  const probe = HTTP ? await post('/ledger/transfers', JSON.stringify(payoutBody(offset++))) : undefined;
  if (probe?.status === 201) {
    expected++;
    flushes = 0;
    overHttp = await single(async (i) => {
      const res = await post('/ledger/transfers', JSON.stringify(payoutBody(i)));
      const text = await res.text();
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    }, offset);
    offset += overHttp.done + overHttp.failed;
    expected += overHttp.done;
    print(
      describeSingle(
        `single over HTTP (POST /ledger/transfers, ${registered ? 'app has a TransferBatcher' : 'no TransferBatcher in the app'})`,
        overHttp,
        `; ${(overHttp.done / Math.max(flushes, 1)).toFixed(1)} per ledger call`,
      ),
    );
  } else
    print(
      `single over HTTP skipped (${probe ? `POST /ledger/transfers answered ${probe.status}` : 'BENCH_HTTP=0'})`,
    );

  // (b) Batched, in-process: lists built before the clock starts, one createTransfers call (one transaction) each.
  const core = await batchedInProcess(ledger, payout, offset);
  offset += BATCHED;
  expected += BATCHED;
  print(
    `batched (in-process, LedgerService.createTransfers): ${BATCHED} transfers in calls of ${BATCH_SIZE} in ` +
      `${core.seconds.toFixed(2)} s = ${core.tps}/s (per call ${core.range})`,
  );

  // Batched over HTTP: bodies serialised before the clock starts, responses checked after it stops.
  let httpBatched: { tps: number; seconds: number } | undefined;
  if (probe?.status === 201) {
    const bodies: string[] = [];
    for (let from = 0; from < BATCHED; from += BATCH_SIZE)
      bodies.push(
        JSON.stringify({
          transfers: Array.from({ length: Math.min(BATCH_SIZE, BATCHED - from) }, (_, i) =>
            payoutBody(offset + from + i),
          ),
        }),
      );
    const answers: { status: number; text: string }[] = [];
    const start = process.hrtime.bigint();
    for (const body of bodies) {
      const res = await post('/ledger/transfers/batch', body);
      answers.push({ status: res.status, text: await res.text() });
    }
    const s = seconds(start);
    let created = 0;
    for (const a of answers) {
      if (a.status !== 201) throw new Error(`batch failed: ${a.status} ${a.text.slice(0, 300)}`);
      created += (JSON.parse(a.text) as { created: number }).created;
    }
    if (created !== BATCHED) throw new Error(`${created} of ${BATCHED} batched transfers created`);
    offset += BATCHED;
    expected += BATCHED;
    httpBatched = { tps: Math.round(BATCHED / s), seconds: s };
    print(
      `batched over HTTP (POST /ledger/transfers/batch): ${BATCHED} transfers in calls of ${BATCH_SIZE} in ${s.toFixed(2)} s = ${httpBatched.tps}/s`,
    );
  }

  const verifyStart = process.hrtime.bigint();
  await reconcile(ds, expected);
  print(
    `reconciled: ${expected} transfers, every currency sums to zero, every balance equals its recomputation (${seconds(verifyStart).toFixed(2)} s)`,
  );

  await batcher.drain();
  await app.close();
  print(
    JSON.stringify({
      bench: 'ledger',
      single_tps: registered && overHttp ? overHttp.tps : plain.tps,
      single_concurrency: CONCURRENCY,
      single_mode:
        registered && overHttp
          ? 'POST /ledger/transfers through the app TransferBatcher'
          : 'in-process TransferBatcher (the app does not register one yet)',
      single_p99_ms: registered && overHttp ? overHttp.p99 : plain.p99,
      single_inprocess_tps: plain.tps,
      single_audit_each_tps: audited.tps,
      single_audit_shared_tps: shared.tps,
      single_http_tps: overHttp?.tps ?? null,
      batched_tps: httpBatched?.tps ?? core.tps,
      batched_mode: httpBatched ? 'POST /ledger/transfers/batch' : 'in-process LedgerService.createTransfers',
      batched_core_tps: core.tps,
      batch_size: BATCH_SIZE,
      transfers: expected,
    }),
  );
}

async function batchedInProcess(
  ledger: LedgerService,
  payout: (i: number) => TransferInput,
  offset: number,
): Promise<{ tps: number; seconds: number; range: string }> {
  const lists: TransferInput[][] = [];
  for (let from = 0; from < BATCHED; from += BATCH_SIZE)
    lists.push(
      Array.from({ length: Math.min(BATCH_SIZE, BATCHED - from) }, (_, i) => payout(offset + from + i)),
    );
  const calls: number[] = [];
  const start = process.hrtime.bigint();
  for (const list of lists) {
    const t0 = process.hrtime.bigint();
    const results = await ledger.createTransfers(undefined, TENANT, list);
    calls.push(seconds(t0));
    if (results.length !== list.length || results.some((r) => !r.created))
      throw new Error('a batched transfer was not created');
  }
  const s = seconds(start);
  return {
    tps: Math.round(BATCHED / s),
    seconds: s,
    range: `${Math.min(...calls).toFixed(3)}-${Math.max(...calls).toFixed(3)} s`,
  };
}

/** The books after the run: sums per currency are zero and every balance equals its recomputation. */
async function reconcile(ds: DataSource, expected: number): Promise<void> {
  const sums = (await ds.query(
    `SELECT currency, sum(credits_posted - debits_posted)::text AS posted, sum(credits_pending - debits_pending)::text AS pending
     FROM ledger_accounts GROUP BY currency`,
  )) as { currency: string; posted: string; pending: string }[];
  for (const s of sums)
    if (s.posted !== '0' || s.pending !== '0')
      throw new Error(`${s.currency} does not sum to zero: ${JSON.stringify(s)}`);
  const wrong = (await ds.query(
    `WITH moved AS (SELECT debit_account_id AS id, amount, 0::bigint AS credit FROM ledger_transfers WHERE kind IN ('posted','post_pending')
                    UNION ALL
                    SELECT credit_account_id, 0, amount FROM ledger_transfers WHERE kind IN ('posted','post_pending')),
          per AS (SELECT id, sum(amount) AS debits, sum(credit) AS credits FROM moved GROUP BY id)
     SELECT a.code FROM ledger_accounts a LEFT JOIN per ON per.id = a.id
     WHERE a.debits_posted <> coalesce(per.debits, 0) OR a.credits_posted <> coalesce(per.credits, 0)
        OR a.debits_pending <> 0 OR a.credits_pending <> 0`,
  )) as { code: string }[];
  if (wrong.length)
    throw new Error(`balances differ from their transfers: ${wrong.map((w) => w.code).join(', ')}`);
  const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM ledger_transfers`)) as { n: number }[];
  if (n !== expected) throw new Error(`expected ${expected} transfers, found ${n}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
