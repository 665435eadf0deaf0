import { Scope } from '@app/platform';

export const OPERATOR_ROLES = ['viewer', 'maker', 'checker', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** What every operator may read. Financial addresses stay masked without mapper:reveal. */
const VIEW: Scope[] = [
  'bulk:read',
  'programs:read',
  'vouchers:read',
  'billers:read',
  'p2g:reports',
  'callbacks:read',
  'ledger:read',
  'audit:read',
  'mapper:read',
  'participants:read',
];

/**
 * A role is a fixed set of scopes on the same API every other client uses. Makers start things, checkers
 * approve them and never both on one object (the services compare the operator's identity), admins do
 * everything including managing operators. Changing a role ends the operator's sessions.
 */
export const ROLE_SCOPES: Record<OperatorRole, readonly Scope[]> = {
  viewer: VIEW,
  maker: [
    ...VIEW,
    'bulk:submit',
    'bulk:operate',
    'programs:admin',
    'vouchers:issue',
    'vouchers:admin',
    'billers:admin',
    'callbacks:admin',
  ],
  checker: [...VIEW, 'bulk:approve', 'billers:approve', 'mapper:reveal'],
  admin: ['*'],
};

export const isOperatorRole = (r: unknown): r is OperatorRole => OPERATOR_ROLES.includes(r as OperatorRole);
