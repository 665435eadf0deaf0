import type { Request } from 'express';

export const TENANT_HEADER = 'Platform-TenantId';
export const TENANT_HEADER_ALT = 'X-Platform-TenantId';
export const TENANT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The tenant named by the caller, from Platform-TenantId or X-Platform-TenantId. */
export function tenantHeaderOf(req: Request): string | undefined {
  return req.header(TENANT_HEADER) ?? req.header(TENANT_HEADER_ALT) ?? undefined;
}
