import { createContext, useContext } from 'react';
import type { Operator } from './types';

/**
 * What the logged-in operator may do, from the scopes of the session. `*` allows everything and `family:admin`
 * implies `family:read`. This only hides buttons: the server decides, and its refusal is always shown.
 */
export function hasScope(scopes: readonly string[], scope: string): boolean {
  if (scopes.includes('*') || scopes.includes(scope)) return true;
  const [family, action] = scope.split(':');
  return action === 'read' && scopes.includes(`${family}:admin`);
}

export interface SessionValue {
  operator: Operator;
  /** True when the operator holds any of the scopes. */
  can: (...anyOf: string[]) => boolean;
  isAdmin: boolean;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the logged-in console');
  return s;
}

export function sessionValue(operator: Operator, logout: () => Promise<void>): SessionValue {
  const can = (...anyOf: string[]) => anyOf.some((s) => hasScope(operator.scopes, s));
  return { operator, can, isAdmin: operator.role === 'admin' || operator.scopes.includes('*'), logout };
}

/** Scopes the console's buttons ask for (the role table is in apps/payments-bb/src/operators/roles.ts). */
export const SCOPE = {
  bulkSubmit: 'bulk:submit',
  bulkApprove: 'bulk:approve',
  bulkOperate: ['bulk:operate', 'bulk:submit', 'bulk:approve'],
  vouchersHold: ['vouchers:issue', 'vouchers:admin'],
  billersAdmin: 'billers:admin',
  billersApprove: ['billers:approve'],
  advicesResend: ['billers:admin', 'billers:operate'],
  callbacksResend: ['callbacks:admin', 'callbacks:operate'],
} as const;
