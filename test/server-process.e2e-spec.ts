import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { functionalId } from './support/factories';
import { VALID_IBAN } from './support/mapper-fixtures';
import { runTs, spawnTs, waitForOutput } from './support/spawn';
import { TEST_ENV } from './support/test-env';

const MAIN = 'apps/payments-bb/src/main.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Server {
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawnTs(MAIN, [], {
    ...TEST_ENV,
    LOG_LEVEL: 'info',
    PORT: String(port),
    ...env,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitForOutput(() => out, /Payments BB started/);
  return {
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        child.on('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('The server as a process: logs, warnings, CLI', () => {
  it('creates a client from the command line and prints its credentials once, as JSON', async () => {
    const code = `CLI${Date.now()}`;
    const res = await runTs(
      'apps/payments-bb/src/cli/create-client.ts',
      ['--tenant', 'cli-tenant', '--code', code, '--kind', 'registration_bb'],
      {
        ...TEST_ENV,
      },
    );
    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout) as {
      participant: { code: string; scopes: string[] };
      credentials: { apiKey: string; clientSecret: string };
    };
    expect(printed.participant).toMatchObject({ code, scopes: ['mapper:read', 'mapper:write'] });
    expect(printed.credentials.apiKey).toMatch(/^pbb_[0-9a-f]{16}_/);
    const again = await runTs(
      'apps/payments-bb/src/cli/create-client.ts',
      ['--tenant', 'cli-tenant', '--code', code, '--kind', 'registration_bb'],
      {
        ...TEST_ENV,
      },
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.stdout).not.toContain('apiKey');
  }, 90_000);

  it('logs JSON lines with the correlation ID, and never the financial address or the API key', async () => {
    const tenant = `logs${Date.now()}`;
    const created = await runTs(
      'apps/payments-bb/src/cli/create-client.ts',
      ['--tenant', tenant, '--code', 'LOGSOURCE001', '--kind', 'source_bb'],
      TEST_ENV,
    );
    const { apiKey } = (JSON.parse(created.stdout) as { credentials: { apiKey: string } }).credentials;
    const server = await startServer({});
    try {
      const correlationId = `corr-${Date.now()}`;
      const res = await fetch(`${server.base}/register-beneficiary`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-API-Key': apiKey,
          'X-CorrelationID': correlationId,
        },
        body: JSON.stringify({
          RequestID: 'LOGREQ000001',
          SourceBBID: 'LOGSOURCE001',
          Beneficiaries: [
            { PayeeFunctionalID: functionalId(), PaymentModality: '00', FinancialAddress: VALID_IBAN },
          ],
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-correlationid')).toBe(correlationId);
      await waitForOutput(server.output, new RegExp(correlationId));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const requestLines = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.correlationId === correlationId);
      expect(requestLines.length).toBeGreaterThan(0);
      expect(requestLines[0]).toMatchObject({ tenant, client: 'LOGSOURCE001' });
      expect(server.output()).not.toContain(VALID_IBAN);
      expect(server.output()).not.toContain(apiKey);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('warns at boot when authentication is switched off', async () => {
    const server = await startServer({ AUTH_MODE: 'none' });
    try {
      expect(server.output()).toMatch(/AUTH_MODE=none: requests are NOT authenticated/);
      const res = await fetch(`${server.base}/participants`, {
        headers: { 'Platform-TenantId': 'sandbox-tenant' },
      });
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('exits with a message naming Redis when it cannot be reached', async () => {
    const res = await runTs(MAIN, [], { ...TEST_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(res.stderr).toMatch(/redis-server/);
  }, 60_000);

  it('exits with a message naming the variable when the configuration is invalid', async () => {
    const res = await runTs(MAIN, [], { ...TEST_ENV, PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/PORT must be an integer/);
  }, 60_000);
});
