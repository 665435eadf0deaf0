import 'reflect-metadata';
import { ParticipantsService } from '../apps/payments-bb/src/participants/participants.service';
import { dutchIban, print, startBenchApp } from './support';

const TOTAL = Number(process.env.BENCH_BENEFICIARIES ?? 100_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 100_000);

/**
 * Registers TOTAL beneficiaries through POST /register-beneficiary and resolves them all through the
 * bulk lookup (PUT /beneficiary), over real HTTP against the real database. Last line: JSON figures.
 */
async function main(): Promise<void> {
  const { app, base } = await startBenchApp('payments_bench', {
    MAPPER_MAX_BENEFICIARIES: String(Math.max(TOTAL, 1)),
    BODY_LIMIT: '200mb',
  });
  const { credentials } = await app.get(ParticipantsService).create({ tenantId: 'bench', code: 'BENCHSOURCE1', kind: 'source_bb' });
  const headers = { 'Content-Type': 'application/json', 'X-API-Key': credentials.apiKey };
  const ids = Array.from({ length: TOTAL }, (_, i) => `BENCH${String(i).padStart(15, '0')}`);

  // Bodies are serialised before the clock starts and responses parsed after it stops: client and server
  // share this process, and the client's own JSON work is not the server's throughput.
  const bodies: string[] = [];
  for (let from = 0, n = 0; from < TOTAL; from += CHUNK, n++) {
    bodies.push(
      JSON.stringify({
        RequestID: `BENCHREQ${String(n).padStart(4, '0')}`,
        SourceBBID: 'BENCHSOURCE1',
        Beneficiaries: ids.slice(from, from + CHUNK).map((id, i) =>
          (from + i) % 2 === 0
            ? { PayeeFunctionalID: id, PaymentModality: '00', FinancialAddress: dutchIban(from + i) }
            : { PayeeFunctionalID: id, PaymentModality: '01', FinancialAddress: `+2557${String(from + i).padStart(8, '0')}` },
        ),
      }),
    );
  }
  const regStart = process.hrtime.bigint();
  const answers: { status: number; text: string }[] = [];
  for (const body of bodies) {
    const res = await fetch(`${base}/register-beneficiary`, { method: 'POST', headers, body });
    answers.push({ status: res.status, text: await res.text() });
  }
  const regSeconds = Number(process.hrtime.bigint() - regStart) / 1e9;
  let failed = 0;
  for (const a of answers) {
    const json = JSON.parse(a.text) as { ResponseCode: string; FailedCases?: unknown[] };
    if (a.status !== 200 || json.ResponseCode !== '00') throw new Error(`register failed: ${a.status} ${a.text.slice(0, 300)}`);
    failed += json.FailedCases?.length ?? 0;
  }
  print(`registered ${TOTAL - failed} of ${TOTAL} beneficiaries in ${regSeconds.toFixed(2)} s (${failed} failed)`);

  const lookupBody = JSON.stringify({ requestId: 'BENCHLOOKUP1', payeePartyIds: ids });
  const lookStart = process.hrtime.bigint();
  const res = await fetch(`${base}/beneficiary`, {
    method: 'PUT',
    headers: { ...headers, registeringInstitutionId: 'BENCHSOURCE1' },
    body: lookupBody,
  });
  const lookupText = await res.text();
  const lookSeconds = Number(process.hrtime.bigint() - lookStart) / 1e9;
  if (res.status !== 200) throw new Error(`lookup failed: ${res.status}`);
  const lookup = JSON.parse(lookupText) as { paymentModalityList: { payeeIdentity: string; financialAddress: string }[] };
  const resolved = lookup.paymentModalityList.length;
  const sample = lookup.paymentModalityList.find((e) => e.payeeIdentity === ids[0]);
  if (sample?.financialAddress !== dutchIban(0)) throw new Error('lookup returned a wrong address');
  print(`resolved ${resolved} of ${TOTAL} by bulk lookup in ${lookSeconds.toFixed(2)} s`);
  await app.close();

  print(
    JSON.stringify({
      bench: 'mapper',
      beneficiaries: TOTAL,
      registrations_per_s: Math.round((TOTAL - failed) / regSeconds),
      lookups_per_s: Math.round(resolved / lookSeconds),
      register_seconds: Number(regSeconds.toFixed(3)),
      lookup_seconds: Number(lookSeconds.toFixed(3)),
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
