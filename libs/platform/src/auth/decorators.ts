import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { Principal } from './principal';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPES = 'auth:scopes';

/** No credentials needed (health checks, the token endpoint, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The caller must hold every listed scope. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES, scopes);

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});

/** The calling principal and correlation ID, as services want them. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest & { correlationId?: string }>();
  if (!req.principal) throw new Error('Ctx used on a route without authentication');
  return { principal: req.principal, correlationId: req.correlationId ?? 'none' };
});
