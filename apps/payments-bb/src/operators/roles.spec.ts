import { hasScope, Principal } from '@app/platform';
import { OPERATOR_ROLES, ROLE_SCOPES } from './roles';

const as = (role: keyof typeof ROLE_SCOPES): Principal => ({
  tenantId: 't',
  participantId: null,
  participantCode: `user:${role}`,
  kind: 'operator',
  scopes: ROLE_SCOPES[role],
  operator: { id: 'x', username: role, role },
});

describe('operator roles', () => {
  it('gives a viewer read scopes only', () => {
    for (const s of ROLE_SCOPES.viewer) expect(s.endsWith(':read') || s === 'p2g:reports').toBe(true);
  });

  it('separates who starts from who approves', () => {
    expect(hasScope(as('maker'), 'bulk:submit')).toBe(true);
    expect(hasScope(as('maker'), 'bulk:approve')).toBe(false);
    expect(hasScope(as('maker'), 'billers:approve')).toBe(false);
    expect(hasScope(as('checker'), 'bulk:approve')).toBe(true);
    expect(hasScope(as('checker'), 'bulk:submit')).toBe(false);
    expect(hasScope(as('checker'), 'billers:admin')).toBe(false);
  });

  it('shows financial addresses in full to checkers and admins only', () => {
    expect(OPERATOR_ROLES.filter((r) => hasScope(as(r), 'mapper:reveal'))).toEqual(['checker', 'admin']);
  });

  it('keeps operator management, ledger funding and the queue board to admins', () => {
    for (const scope of ['operators:admin', 'ledger:admin', 'queues:admin', 'participants:admin'])
      expect(OPERATOR_ROLES.filter((r) => hasScope(as(r), scope))).toEqual(['admin']);
  });

  it('lets every role read what the console shows', () => {
    for (const r of OPERATOR_ROLES)
      for (const scope of ['bulk:read', 'vouchers:read', 'billers:read', 'callbacks:read', 'ledger:read', 'audit:read', 'programs:read'])
        expect(hasScope(as(r), scope)).toBe(true);
  });
});

describe('hasScope', () => {
  const p = (scopes: string[]): Principal => ({ tenantId: 't', participantId: 'p', participantCode: 'c', kind: 'operator', scopes });

  it('lets family:admin imply family:read, and nothing else', () => {
    expect(hasScope(p(['billers:admin']), 'billers:read')).toBe(true);
    expect(hasScope(p(['billers:admin']), 'billers:approve')).toBe(false);
    expect(hasScope(p(['billers:read']), 'billers:admin')).toBe(false);
    expect(hasScope(p(['callbacks:admin']), 'billers:read')).toBe(false);
    expect(hasScope(p(['*']), 'anything:at-all')).toBe(true);
  });
});
