import { OperatorRole, ROLE_SCOPES } from './roles';

export type OperatorStatus = 'active' | 'disabled';

export interface Operator {
  id: string;
  tenantId: string;
  username: string;
  displayName: string;
  role: OperatorRole;
  status: OperatorStatus;
  failedLogins: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface OperatorWithSecret extends Operator {
  passwordHash: string;
}

/** What the API shows of an operator: never the hash. */
export function operatorView(o: Operator) {
  return {
    id: o.id,
    tenantId: o.tenantId,
    username: o.username,
    displayName: o.displayName,
    role: o.role,
    status: o.status,
    scopes: ROLE_SCOPES[o.role],
    lockedUntil: o.lockedUntil && o.lockedUntil > new Date() ? o.lockedUntil.toISOString() : null,
    lastLoginAt: o.lastLoginAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
  };
}
export type OperatorView = ReturnType<typeof operatorView>;

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;
