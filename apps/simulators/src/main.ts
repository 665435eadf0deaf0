import { startCallbackReceiver } from './callback-receiver';
import { startPayerFsp } from './payer-fsp/payer-fsp';
import type { AuthorizationMode } from './payer-fsp/payer-fsp-types';

/**
 * The project's stand-ins for the outside world, for local runs and demos (docs/simulators.md).
 * SIM_CALLBACK_SECRET, when set, makes the receiver check X-Signature (the secret the server issued to the
 * client whose callbacks land here); SIM_FSP_SECRET does the same for the requests the payer FSP receives.
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

  const stop = () => {
    void Promise.allSettled([receiver.close(), fsp.close()]).finally(() => process.exit(0));
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
