import type { ServerResponse } from 'node:http';
import { INVALID_JSON, parseJson, reply } from './http-io';
import type { AccountSetup, PayerFspConfig } from './payer-fsp-types';

/** What the control endpoints may do to the simulator. */
export interface ControlTarget {
  summary(): unknown;
  configure(partial: Partial<PayerFspConfig>): unknown;
  setAccount(financialAddress: string, account: AccountSetup): void;
  accountCounts(): unknown;
  setDown(down: boolean): void;
  reset(): void;
}

export const CONTROL_PREFIX = '/_sim/';

/**
 * The /_sim/ endpoints, for a person with curl or a test in another process. They are never down and never
 * check signatures. Answers never echo a financial address.
 */
export function handleControl(
  method: string,
  path: string,
  raw: string,
  res: ServerResponse,
  sim: ControlTarget,
): void {
  const body = parseJson(raw);
  if (method === 'POST' && body === INVALID_JSON) return reply(res, 400, { error: 'the body is not JSON' });
  try {
    if (path === '/_sim/state' && method === 'GET') return reply(res, 200, sim.summary());
    if (path === '/_sim/state' && method === 'DELETE') {
      sim.reset();
      return reply(res, 204);
    }
    if (path === '/_sim/config' && method === 'POST')
      return reply(res, 200, sim.configure(body as Partial<PayerFspConfig>));
    if (path === '/_sim/accounts' && method === 'POST') {
      const list = Array.isArray(body) ? body : [body];
      list.forEach((item, i) => {
        const { financialAddress, ...setup } = (item ?? {}) as { financialAddress?: unknown } & AccountSetup;
        try {
          sim.setAccount(financialAddress as string, setup);
        } catch (err) {
          if (!(err instanceof RangeError) || !Array.isArray(body)) throw err;
          throw new RangeError(`[${i}]: ${err.message} (the ${i} before it were applied)`);
        }
      });
      return reply(res, 200, { updated: list.length, accounts: sim.accountCounts() });
    }
    if (path === '/_sim/down' && method === 'POST') {
      const down = (body as { down?: unknown } | undefined)?.down;
      if (typeof down !== 'boolean') return reply(res, 400, { error: 'send {"down": true|false}' });
      sim.setDown(down);
      return reply(res, 200, { down });
    }
  } catch (err) {
    if (err instanceof RangeError) return reply(res, 400, { error: err.message });
    throw err;
  }
  reply(res, 404, { error: 'unknown simulator control endpoint' });
}
