import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AppConfig,
  AppException,
  AuthenticatedRequest,
  ErrorCode,
  hasScope,
  Principal,
  PUBLIC_ROUTE,
  REQUIRED_SCOPES,
  TENANT_ID_PATTERN,
  tenantHeaderOf,
} from '@app/platform';
import { apiKeyIdOf, secretMatches } from './credentials';
import { ParticipantWithSecrets } from './participant';
import { ParticipantsRepository } from './participants.repository';
import { TokenService } from './token.service';
import { OperatorSessionsService } from '../operators/operator-sessions.service';

/**
 * Every route is authenticated unless marked @Public(): X-API-Key, an OAuth2 bearer token, or a console
 * session cookie (whose unsafe requests must carry the session's CSRF token); then the tenant header (if
 * sent) must be the caller's own tenant, then the route's scopes must be held. AUTH_MODE=none (explicit,
 * warned at boot) trusts an upstream Information Mediator instead, except that a console session, when
 * there is one, still names the operator.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly repo: ParticipantsRepository,
    private readonly tokens: TokenService,
    private readonly sessions: OperatorSessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.config.authDisabled ? await this.sandboxOrSession(req) : await this.authenticate(req);
    const named = tenantHeaderOf(req);
    if (named !== undefined && named !== principal.tenantId)
      throw new AppException(ErrorCode.TENANT_MISMATCH, `This client may not act for tenant '${named}'`);
    const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((s) => !hasScope(principal, s));
    if (missing.length) throw new AppException(ErrorCode.FORBIDDEN, `Missing scope: ${missing.join(', ')}`);
    req.principal = principal;
    return true;
  }

  private async sandboxOrSession(req: AuthenticatedRequest): Promise<Principal> {
    const hasClientCredentials = req.header('X-API-Key') || req.header('Authorization');
    const session = hasClientCredentials ? undefined : await this.session(req);
    return session ?? this.sandboxPrincipal(req);
  }

  private async session(req: AuthenticatedRequest): Promise<Principal | undefined> {
    const principal = await this.sessions.authenticate(req);
    if (principal) this.sessions.assertCsrf(req);
    return principal;
  }

  private sandboxPrincipal(req: AuthenticatedRequest): Principal {
    const tenantId = tenantHeaderOf(req) ?? this.config.env.DEFAULT_TENANT_ID;
    if (!TENANT_ID_PATTERN.test(tenantId)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Invalid tenant header');
    return { tenantId, participantId: null, participantCode: 'sandbox', kind: 'sandbox', scopes: ['*'] };
  }

  private async authenticate(req: AuthenticatedRequest): Promise<Principal> {
    const apiKey = req.header('X-API-Key');
    const authz = req.header('Authorization');
    if (apiKey) {
      const keyId = apiKeyIdOf(apiKey);
      const p = keyId ? await this.repo.findByApiKeyId(keyId) : undefined;
      if (!p || !secretMatches(apiKey, p.apiKeyHash)) throw this.unauthenticated('Invalid API key');
      return this.principalOf(p, p.scopes);
    }
    if (authz?.startsWith('Bearer ')) {
      const claims = this.tokens.verify(authz.slice(7).trim());
      const p = claims ? await this.repo.findById(claims.tid, claims.sub) : undefined;
      if (!claims || !p) throw this.unauthenticated('Invalid or expired bearer token');
      // A token never carries more than the client holds now: revoked scopes stop working at once.
      const granted = claims.scope.split(' ').filter((s) => p.scopes.includes(s) || p.scopes.includes('*'));
      return this.principalOf(p, granted);
    }
    const session = await this.session(req);
    if (session) return session;
    throw this.unauthenticated('Credentials required: send X-API-Key or Authorization: Bearer <token>');
  }

  private principalOf(p: ParticipantWithSecrets, scopes: string[]): Principal {
    if (p.status !== 'active') throw this.unauthenticated('This client is disabled');
    return { tenantId: p.tenantId, participantId: p.id, participantCode: p.code, kind: p.kind, scopes };
  }

  private unauthenticated(message: string): AppException {
    return new AppException(ErrorCode.UNAUTHENTICATED, message);
  }
}
