import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { BillerSimulator } from '../../apps/simulators/src/biller/biller';
import type { PayerFiSimulator } from '../../apps/simulators/src/payer-fi/payer-fi';
import { as } from './bulk-fixtures';
import { createParticipant, createTenant, TestParticipant } from './factories';
import { TestApp } from './test-app';

/** A tenant with two operators, one biller onboarded and approved (maker-checker), and one linked payer FI. */
export interface P2gWorld {
  tenantId: string;
  operator: TestParticipant;
  checker: TestParticipant;
  billerId: string;
  prefix: string;
  /** The biller's API client, as onboarding returned it. */
  biller: TestParticipant;
  payerFi: TestParticipant;
  bic: string;
}

export interface P2gWorldOptions {
  billerUrl: string;
  payerFiUrl: string;
  rules?: { amountExactness: string; partialPayment?: boolean; minAmount?: number };
  currencies?: string[];
  timeoutMs?: number;
}

export const bicOf = () => `FI${randomBytes(3).toString('hex').toUpperCase()}`;

export async function createP2gWorld(t: TestApp, o: P2gWorldOptions): Promise<P2gWorld> {
  const tenantId = await createTenant(t.ds);
  const operator = await createParticipant(t, { tenantId, kind: 'operator' });
  const checker = await createParticipant(t, { tenantId, kind: 'operator' });
  const onboarded = await t
    .http()
    .post('/p2g/billers')
    .set(as(operator))
    .send({
      name: 'City Water and Sewerage',
      shortName: 'CityWater',
      kind: 'biller',
      baseUrl: o.billerUrl,
      timeoutMs: o.timeoutMs ?? 1000,
      currencies: o.currencies ?? ['KES'],
      settlementAccount: {
        bankCode: 'CBKEKENX',
        accountNumber: '0011223344',
        accountName: 'City Water Collections',
      },
      rules: o.rules ?? { amountExactness: 'EXACT' },
    });
  if (onboarded.status !== 201)
    throw new Error(`onboard: ${onboarded.status} ${JSON.stringify(onboarded.body)}`);
  const { biller, credentials } = onboarded.body;
  if (biller.status === 'pending_approval') {
    const ok = await t.http().post(`/p2g/billers/${biller.billerId}/approve`).set(as(checker)).send({});
    if (ok.status !== 201) throw new Error(`approve: ${ok.status} ${JSON.stringify(ok.body)}`);
  }
  const bic = bicOf();
  const fi = await t
    .http()
    .post('/p2g/payer-fis')
    .set(as(operator))
    .send({ code: bic, name: 'Test Bank', bic, baseUrl: o.payerFiUrl });
  if (fi.status !== 201) throw new Error(`payer FI: ${fi.status} ${JSON.stringify(fi.body)}`);
  return {
    tenantId,
    operator,
    checker,
    billerId: biller.billerId,
    prefix: biller.prefix,
    biller: participantOf(tenantId, biller.billerId, biller.participantId, credentials),
    payerFi: participantOf(tenantId, bic, fi.body.payerFi.participantId, fi.body.credentials),
    bic,
  };
}

function participantOf(
  tenantId: string,
  code: string,
  id: string,
  c: { clientId: string; clientSecret: string; apiKey: string; callbackSecret: string },
): TestParticipant {
  return {
    id,
    code,
    tenantId,
    apiKey: c.apiKey,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    callbackSecret: c.callbackSecret,
  };
}

/** The server listening on a real port, so that simulators can call it back. */
export async function listenUrl(t: TestApp): Promise<string> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return `http://127.0.0.1:${addr.port}`;
}

/** Points the simulators at the server with the credentials it issued. */
export function linkSimulators(
  w: P2gWorld,
  pbbUrl: string,
  biller: BillerSimulator,
  fi: PayerFiSimulator,
): void {
  biller.configure({ billerId: w.billerId });
  biller.link({ pbbUrl, pbbApiKey: w.biller.apiKey, tenantId: w.tenantId, secret: w.biller.callbackSecret });
  fi.link({
    pbbUrl,
    pbbApiKey: w.payerFi.apiKey,
    tenantId: w.tenantId,
    payerFiId: w.payerFi.code,
    secret: w.payerFi.callbackSecret,
  });
}

let n = 0;
/** A bill ID under the world's prefix, unique in the run. */
export const billIdOf = (w: P2gWorld) =>
  `${w.prefix}${Date.now().toString(36).toUpperCase()}${(n++).toString(36).toUpperCase()}`.slice(0, 20);

export const ref16 = () => randomBytes(8).toString('hex').toUpperCase();
export const rid12 = () => randomBytes(6).toString('hex').toUpperCase();

export function dueIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
