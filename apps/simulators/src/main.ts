import { startBillerSimulator } from './biller/biller';
import { startCallbackReceiver } from './callback-receiver';
import { startPayerFi } from './payer-fi/payer-fi';
import type { RtpDecision } from './payer-fi/payer-fi-types';
import { startPayerFsp } from './payer-fsp/payer-fsp';
import type { AuthorizationMode } from './payer-fsp/payer-fsp-types';

/**
 * The project's stand-ins for the outside world, for local runs and demos (docs/simulators.md).
 * SIM_CALLBACK_SECRET, when set, makes the receiver check X-Signature (the secret the server issued to the
 * client whose callbacks land here); SIM_FSP_SECRET, SIM_BILLER_SECRET and SIM_PAYER_FI_SECRET do the same for
 * the requests the payer FSP, the biller and the payer FI receive.
 */
async function main(): Promise<void> {
  const env = process.env;
  const host = env.SIM_HOST ?? '127.0.0.1';
  const receiver = await startCallbackReceiver({
    port: portFrom('SIM_CALLBACK_PORT', 4010),
    host,
    secret: env.SIM_CALLBACK_SECRET || undefined,
  });
  process.stdout.write(
    `Callback receiver listening on ${receiver.url} ` +
      `(GET ${receiver.url}/_sim/received, POST ${receiver.url}/_sim/down {"down":true}, DELETE ${receiver.url}/_sim/received)\n`,
  );

  const fsp = await startPayerFsp({
    port: portFrom('SIM_FSP_PORT', 4020),
    host,
    secret: env.SIM_FSP_SECRET || undefined,
    pbbApiKey: env.SIM_FSP_API_KEY || undefined,
    tenantId: env.SIM_FSP_TENANT_ID || undefined,
    latencyMs: numberFrom('SIM_FSP_LATENCY_MS'),
    failureRate: numberFrom('SIM_FSP_FAILURE_RATE'),
    seed: numberFrom('SIM_FSP_SEED'),
    pushChunkSize: numberFrom('SIM_FSP_PUSH_CHUNK_SIZE'),
    strictAccounts: booleanFrom('SIM_FSP_STRICT_ACCOUNTS'),
    pushDisabled: booleanFrom('SIM_FSP_PUSH_DISABLED'),
    authorization: (env.SIM_FSP_AUTHORIZATION || undefined) as AuthorizationMode | undefined,
    log: (line) => process.stdout.write(`[payer-fsp] ${line}\n`),
  });
  process.stdout.write(
    `Payer FSP simulator listening on ${fsp.url} ` +
      `(GET ${fsp.url}/_sim/state, POST ${fsp.url}/_sim/config {"latencyMs":500}, ` +
      `POST ${fsp.url}/_sim/accounts {"financialAddress":"…","status":"closed"}, ` +
      `POST ${fsp.url}/_sim/down {"down":true}, DELETE ${fsp.url}/_sim/state)\n`,
  );

  const pbbUrl = env.SIM_PBB_URL || 'http://127.0.0.1:3333';
  const tenantId = env.SIM_TENANT_ID || env.SIM_FSP_TENANT_ID || undefined;
  const biller = await startBillerSimulator({
    port: portFrom('SIM_BILLER_PORT', 4030),
    host,
    secret: env.SIM_BILLER_SECRET || undefined,
    billerId: env.SIM_BILLER_ID || undefined,
    autoBillPrefix: env.SIM_BILLER_AUTO_PREFIX || undefined,
    latencyMs: numberFrom('SIM_BILLER_LATENCY_MS'),
    asyncAck: booleanFrom('SIM_BILLER_ASYNC_ACK'),
    pbbUrl,
    pbbApiKey: env.SIM_BILLER_API_KEY || undefined,
    tenantId,
    log: (line) => process.stdout.write(`[biller] ${line}\n`),
  });
  process.stdout.write(
    `Biller simulator listening on ${biller.url} ` +
      `(GET ${biller.url}/_sim/state, POST ${biller.url}/_sim/bills {"billId":"…","dueDate":"…","amountonDueDate":150000}, ` +
      `POST ${biller.url}/_sim/config {"latencyMs":500,"asyncAck":true}, ` +
      `POST ${biller.url}/_sim/down {"down":true}, DELETE ${biller.url}/_sim/state)\n`,
  );

  const payerFi = await startPayerFi({
    port: portFrom('SIM_PAYER_FI_PORT', 4040),
    host,
    secret: env.SIM_PAYER_FI_SECRET || undefined,
    pbbUrl,
    pbbApiKey: env.SIM_PAYER_FI_API_KEY || undefined,
    tenantId,
    payerFiId: env.SIM_PAYER_FI_ID || undefined,
    decision: (env.SIM_PAYER_FI_DECISION || undefined) as RtpDecision | undefined,
    payOnAccept: booleanFrom('SIM_PAYER_FI_PAY_ON_ACCEPT'),
    log: (line) => process.stdout.write(`[payer-fi] ${line}\n`),
  });
  process.stdout.write(
    `Payer FI simulator listening on ${payerFi.url} ` +
      `(GET ${payerFi.url}/_sim/state, POST ${payerFi.url}/_sim/config {"decision":"reject","payOnAccept":true}, ` +
      `POST ${payerFi.url}/_sim/down {"down":true}, DELETE ${payerFi.url}/_sim/state)\n`,
  );

  const stop = () => {
    void Promise.allSettled([receiver.close(), fsp.close(), biller.close(), payerFi.close()]).finally(() =>
      process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function portFrom(name: string, fallback: number): number {
  const port = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number`);
  return port;
}

function numberFrom(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number`);
  return n;
}

function booleanFrom(name: string): boolean | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new Error(`${name} must be true or false`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Simulators failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
