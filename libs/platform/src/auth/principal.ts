/** Kinds of API client the registry knows; each kind has default scopes. */
export const PARTICIPANT_KINDS = [
  'source_bb',
  'registration_bb',
  'information_mediator',
  'fsp',
  'biller',
  'merchant_gateway',
  'operator',
] as const;
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];

/** Scopes are `family:action`; an operator's `*` grants everything within its tenant. */
export const SCOPES = [
  'mapper:read',
  'mapper:write',
  'mapper:reveal',
  'callbacks:read',
  'callbacks:admin',
  'participants:read',
  'participants:admin',
  'audit:read',
  'ledger:read',
  'ledger:write',
  'ledger:admin',
  'bulk:submit',
  'bulk:read',
  'bulk:approve',
  'bulk:operate',
  'bulk:status',
  'programs:read',
  'programs:admin',
  'vouchers:issue',
  'vouchers:redeem',
  'vouchers:read',
  'vouchers:override',
  'vouchers:admin',
  'p2g:pay',
  'p2g:bill',
  'billers:read',
  'billers:admin',
  'billers:approve',
  'p2g:reports',
  'digit:admin',
  'operators:admin',
  'queues:admin',
  '*',
] as const;
export type Scope = (typeof SCOPES)[number];

export const DEFAULT_SCOPES: Record<ParticipantKind, Scope[]> = {
  source_bb: [
    'mapper:read',
    'mapper:write',
    'bulk:submit',
    'bulk:read',
    'vouchers:issue',
    'vouchers:redeem',
    'vouchers:read',
  ],
  registration_bb: ['mapper:read', 'mapper:write'],
  information_mediator: [
    'mapper:read',
    'mapper:write',
    'bulk:submit',
    'bulk:read',
    'vouchers:issue',
    'vouchers:redeem',
    'vouchers:read',
  ],
  fsp: ['bulk:status', 'p2g:pay'],
  biller: ['p2g:bill'],
  merchant_gateway: ['vouchers:redeem', 'vouchers:read'],
  operator: ['*'],
};

/** A person logged in to the operator console (docs/console.md); their role gave the principal its scopes. */
export interface OperatorIdentity {
  id: string;
  username: string;
  role: string;
}

/** Who is calling: the authenticated client, a console operator, or the sandbox principal when AUTH_MODE=none. */
export interface Principal {
  tenantId: string;
  participantId: string | null;
  participantCode: string;
  kind: ParticipantKind | 'sandbox';
  scopes: readonly string[];
  /** Set when the call comes from a console session: the audit trail names the person, not a client. */
  operator?: OperatorIdentity;
}

/** `*` grants everything; `family:admin` also grants `family:read`, so read routes can take the narrower scope. */
export function hasScope(principal: Principal, scope: string): boolean {
  if (principal.scopes.includes('*') || principal.scopes.includes(scope)) return true;
  return scope.endsWith(':read') && principal.scopes.includes(`${scope.slice(0, -5)}:admin`);
}
