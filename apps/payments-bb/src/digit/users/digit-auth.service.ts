import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { sign, verify } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@app/platform';
import { digitError } from '../envelope/digit-exception';
import { RequestInfoLike } from '../envelope/response-info';
import { DigitUser, hasRoleFor, userInfoView } from './digit-user';
import { DigitUsersRepository } from './digit-users.repository';
import { passwordMatches } from './passwords';

const AUDIENCE = 'digit-user';

/**
 * DIGIT's authentication: a password grant on POST /user/oauth/token gives a token, sent back in the `auth-token`
 * header or RequestInfo.authToken; the user it names is re-read on every call (a deactivated user stops at once),
 * and roles per tenant decide what it may call (401 without a valid token, 403 without the role). Tokens are
 * signed JWTs with their own audience, so platform tokens and DIGIT tokens are never taken for each other.
 */
@Injectable()
export class DigitAuthService {
  constructor(
    private readonly users: DigitUsersRepository,
    private readonly config: AppConfig,
  ) {}

  clientMatches(id: string | undefined, secret: string | undefined): boolean {
    return (
      id === this.config.env.DIGIT_OAUTH_CLIENT_ID &&
      (secret ?? '') === (this.config.env.DIGIT_OAUTH_CLIENT_SECRET ?? '')
    );
  }

  async passwordGrant(f: { username?: string; password?: string; tenantId?: string; userType?: string }) {
    if (!f.username || !f.password || !f.tenantId)
      throw digitError('invalid_request', 'username, password and tenantId are required');
    const found = await this.users.forLogin(f.tenantId, f.username, (f.userType ?? 'EMPLOYEE').toUpperCase());
    // Same answer and about the same time for an unknown user and a wrong password.
    const ok = found
      ? await passwordMatches(f.password, found.passwordHash)
      : await passwordMatches(f.password, DUMMY_HASH);
    if (!found || !ok || !found.user.active)
      throw digitError('invalid_grant', 'Invalid login credentials', 400);
    return this.tokens(found.user);
  }

  async refreshGrant(refreshToken?: string) {
    const claims = refreshToken ? this.claims(refreshToken, 'refresh') : undefined;
    const user = claims ? await this.users.byUuid(claims.sub) : undefined;
    if (!user || !user.active) throw digitError('invalid_grant', 'Invalid refresh token', 400);
    return this.tokens(user);
  }

  /** The caller, or 401. */
  async authenticate(req: Request, requestInfo?: RequestInfoLike): Promise<DigitUser> {
    const header = req.header('auth-token');
    const token = header || (typeof requestInfo?.authToken === 'string' ? requestInfo.authToken : undefined);
    if (!token)
      throw digitError(
        'InvalidAccessTokenException',
        'An auth token is required (auth-token header or RequestInfo.authToken)',
        401,
      );
    const claims = this.claims(token, 'access');
    const user = claims ? await this.users.byUuid(claims.sub) : undefined;
    if (!user || !user.active)
      throw digitError('InvalidAccessTokenException', 'Invalid or expired access token', 401);
    return user;
  }

  /** The caller if it holds one of the roles for the tenant, else 403. */
  async authorize(
    req: Request,
    requestInfo: RequestInfoLike | undefined,
    tenantId: string,
    roles: readonly string[],
  ): Promise<DigitUser> {
    const user = await this.authenticate(req, requestInfo);
    if (!hasRoleFor(user, tenantId, roles))
      throw digitError(
        'AccessDeniedException',
        `User ${user.userName} may not make this call for tenant ${tenantId}`,
        403,
      );
    return user;
  }

  private tokens(user: DigitUser) {
    const ttl = this.config.env.DIGIT_TOKEN_TTL_SECONDS;
    const opts = {
      algorithm: 'HS256' as const,
      subject: user.uuid,
      audience: AUDIENCE,
      issuer: this.config.env.JWT_ISSUER,
    };
    const access = sign({ typ: 'access', jti: randomUUID() }, this.config.secrets.jwtSecret, {
      ...opts,
      expiresIn: ttl,
    });
    const refresh = sign({ typ: 'refresh', jti: randomUUID() }, this.config.secrets.jwtSecret, {
      ...opts,
      expiresIn: ttl * 2,
    });
    return {
      access_token: access,
      token_type: 'bearer',
      refresh_token: refresh,
      expires_in: ttl,
      scope: 'read',
      UserRequest: { ...userInfoView(user), active: user.active },
    };
  }

  private claims(token: string, typ: 'access' | 'refresh'): { sub: string } | undefined {
    try {
      const c = verify(token, this.config.secrets.jwtSecret, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        issuer: this.config.env.JWT_ISSUER,
      }) as { sub?: string; typ?: string };
      return c.sub && c.typ === typ ? { sub: c.sub } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A hash of nothing anyone knows, checked when the user does not exist. */
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
