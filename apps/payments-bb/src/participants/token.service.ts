import { Injectable } from '@nestjs/common';
import { sign, verify } from 'jsonwebtoken';
import { AppConfig } from '@app/platform';
import { secretMatches } from './credentials';
import { ParticipantWithSecrets } from './participant';
import { ParticipantsRepository } from './participants.repository';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }
}

/** OAuth2 client-credentials: a client trades its ID and secret for a short-lived signed JWT. */
@Injectable()
export class TokenService {
  constructor(
    private readonly config: AppConfig,
    private readonly repo: ParticipantsRepository,
  ) {}

  async issue(grantType: unknown, clientId: unknown, clientSecret: unknown, requested?: unknown): Promise<IssuedToken> {
    if (grantType !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string')
      throw new OAuthError('invalid_request', 'client_id and client_secret are required (HTTP Basic or form body)');
    const p = await this.repo.findByClientId(clientId);
    if (!p || p.status !== 'active' || !secretMatches(clientSecret, p.clientSecretHash))
      throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
    const scopes = this.narrow(p, requested);
    const ttl = this.config.env.JWT_TTL_SECONDS;
    const token = sign({ tid: p.tenantId, scope: scopes.join(' ') }, this.config.secrets.jwtSecret, {
      algorithm: 'HS256',
      subject: p.id,
      issuer: this.config.env.JWT_ISSUER,
      expiresIn: ttl,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  /** A client may ask for fewer scopes than it has, never more. */
  private narrow(p: ParticipantWithSecrets, requested: unknown): string[] {
    if (requested === undefined || requested === '') return p.scopes;
    if (typeof requested !== 'string') throw new OAuthError('invalid_scope', 'scope must be a space-separated string');
    const wanted = requested.split(' ').filter(Boolean);
    const extra = wanted.filter((s) => !p.scopes.includes(s) && !p.scopes.includes('*'));
    if (extra.length) throw new OAuthError('invalid_scope', `Scopes not granted to this client: ${extra.join(', ')}`);
    return wanted;
  }

  /** Returns the token's claims, or undefined when it is not a valid, unexpired token of ours. */
  verify(token: string): { sub: string; tid: string; scope: string } | undefined {
    try {
      const claims = verify(token, this.config.secrets.jwtSecret, {
        algorithms: ['HS256'],
        issuer: this.config.env.JWT_ISSUER,
      }) as { sub?: string; tid?: string; scope?: string };
      if (!claims.sub || !claims.tid || typeof claims.scope !== 'string') return undefined;
      return { sub: claims.sub, tid: claims.tid, scope: claims.scope };
    } catch {
      return undefined;
    }
  }
}
