import { randomBytes } from 'node:crypto';
import { OperatorsService } from '../../apps/payments-bb/src/operators/operators.service';
import { OperatorRole } from '../../apps/payments-bb/src/operators/roles';
import { TestApp } from './test-app';

export interface TestOperator {
  id: string;
  tenantId: string;
  username: string;
  password: string;
  role: OperatorRole;
}

/** A logged-in console session: the cookie and the CSRF token, as a browser would hold them. */
export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  /** Headers for a request made by this session (the CSRF token is harmless on a GET). */
  headers: Record<string, string>;
}

export async function createOperator(t: TestApp, tenantId: string, role: OperatorRole, username?: string): Promise<TestOperator> {
  const name = username ?? `${role}-${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const o = await t.app
    .get(OperatorsService)
    .create({ tenantId, username: name, role, password, displayName: `Test ${role}` }, { id: 'system:test', kind: 'system' });
  return { id: o.id, tenantId, username: name, password, role };
}

export async function login(t: TestApp, o: { username: string; password: string }): Promise<ConsoleSession> {
  const res = await t.http().post('/console/api/session').send({ username: o.username, password: o.password });
  if (res.status !== 201) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('pbb_console='));
  if (!cookie) throw new Error('login: no session cookie');
  const csrfToken = res.body.csrfToken as string;
  return { cookie, csrfToken, headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken } };
}

export async function operatorFor(t: TestApp, tenantId: string, role: OperatorRole): Promise<ConsoleSession & { operator: TestOperator }> {
  const operator = await createOperator(t, tenantId, role);
  return { ...(await login(t, operator)), operator };
}
