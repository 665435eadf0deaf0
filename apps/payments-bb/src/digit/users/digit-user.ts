export const DIGIT_USER_TYPES = ['EMPLOYEE', 'CITIZEN', 'SYSTEM', 'BUSINESS'] as const;
export type DigitUserType = (typeof DIGIT_USER_TYPES)[number];

export interface DigitRole {
  code: string;
  name?: string;
  tenantId: string;
}

/** A DIGIT user (services-common User) as the server resolves it from a token. */
export interface DigitUser {
  id: number;
  uuid: string;
  userName: string;
  name: string;
  type: DigitUserType;
  mobileNumber: string | null;
  emailId: string | null;
  tenantId: string;
  roles: DigitRole[];
  active: boolean;
}

/**
 * Whether the user holds one of the roles for this tenant. A role given for a state-level tenant (`pb`) holds for
 * its cities (`pb.amritsar`): one token serves every tenant its user may act for.
 */
export function hasRoleFor(user: DigitUser, tenantId: string, roles: readonly string[]): boolean {
  return user.roles.some(
    (r) => roles.includes(r.code) && (r.tenantId === tenantId || tenantId.startsWith(`${r.tenantId}.`)),
  );
}

export function userInfoView(u: DigitUser) {
  return {
    id: u.id,
    uuid: u.uuid,
    userName: u.userName,
    name: u.name,
    type: u.type,
    mobileNumber: u.mobileNumber,
    emailId: u.emailId,
    tenantId: u.tenantId,
    roles: u.roles.map((r) => ({ code: r.code, name: r.name ?? r.code, tenantId: r.tenantId })),
  };
}
