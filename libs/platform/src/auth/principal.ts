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
  'callbacks:admin',
  'participants:admin',
  'audit:read',
  'ledger:read',
  'ledger:write',
  'ledger:admin',
  'bulk:submit',
  'bulk:read',
  'bulk:approve',
  'bulk:status',
  'programs:admin',
  'vouchers:issue',
  'vouchers:redeem',
  'vouchers:read',
  'vouchers:override',
  'vouchers:admin',
  'p2g:pay',
  'p2g:bill',
  'billers:admin',
  'p2g:reports',
  'digit:admin',
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

/** Who is calling: the authenticated client, or the sandbox principal when AUTH_MODE=none. */
export interface Principal {
  tenantId: string;
  participantId: string | null;
  participantCode: string;
  kind: ParticipantKind | 'sandbox';
  scopes: readonly string[];
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(scope);
}
