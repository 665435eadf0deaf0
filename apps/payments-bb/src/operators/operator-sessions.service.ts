import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, AppException, AuditService, ErrorCode, operatorActor, Principal, safeEqual, sha256Hex } from '@app/platform';
import { Operator } from './operator';
import { OperatorsRepository } from './operators.repository';
import { ROLE_SCOPES } from './roles';
import { isUnsafeMethod, sessionTokenOf } from './session-cookie';

export interface ConsoleSession {
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
  operator: Operator;
}

export type SessionRequest = Request & { consoleSession?: ConsoleSession };

/** Seen-at is written at most this often: a page polling every 2 s must not write a row every 2 s. */
const TOUCH_EVERY_MS = 30_000;

/**
 * Console sessions: created at login, found by the SHA-256 of the cookie, ended by logout, idleness, their
 * absolute lifetime, or a change to the operator. A session's principal is the operator's role's scopes on
 * the operator's tenant.
 */
@Injectable()
export class OperatorSessionsService {
  constructor(
    private readonly repo: OperatorsRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  get maxAgeSeconds(): number {
    return this.config.env.CONSOLE_SESSION_MAX_HOURS * 3600;
  }

  get idleTimeoutSeconds(): number {
    return this.config.env.CONSOLE_SESSION_IDLE_MINUTES * 60;
  }

  /** Opens a session for an operator whose password was just checked; the token is returned once, for the cookie. */
  async open(operator: Operator, correlationId: string): Promise<{ token: string; session: ConsoleSession }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.maxAgeSeconds * 1000);
    const tokenHash = sha256Hex(token);
    await this.ds.transaction(async (m) => {
      await this.repo.deleteDeadSessionsOf(m, operator.id, this.config.env.CONSOLE_SESSION_IDLE_MINUTES);
      await this.repo.insertSession(m, tokenHash, operator, csrfToken, expiresAt);
      await this.repo.recordSuccess(m, operator.id);
      await this.audit.record(m, [
        {
          tenantId: operator.tenantId,
          actor: operatorActor(operator.username),
          action: 'console.login',
          objectType: 'operator',
          objectId: operator.id,
          correlationId,
        },
      ]);
    });
    return { token, session: { tokenHash, csrfToken, expiresAt, operator } };
  }

  /**
   * The principal of the request's console session, or undefined when it has none that is live. Does not
   * check CSRF: callers that accept unsafe methods call assertCsrf.
   */
  async authenticate(req: Request): Promise<Principal | undefined> {
    const token = sessionTokenOf(req);
    if (!token) return undefined;
    const tokenHash = sha256Hex(token);
    const row = await this.repo.liveSession(tokenHash, this.config.env.CONSOLE_SESSION_IDLE_MINUTES);
    if (!row) return undefined;
    if (Date.now() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) await this.repo.touchSession(tokenHash);
    (req as SessionRequest).consoleSession = { tokenHash, csrfToken: row.csrfToken, expiresAt: row.expiresAt, operator: row.operator };
    return principalOf(row.operator);
  }

  /** Unsafe methods on a cookie session must echo the session's CSRF token, which no other site can read. */
  assertCsrf(req: Request): void {
    if (!isUnsafeMethod(req.method)) return;
    const session = (req as SessionRequest).consoleSession;
    const sent = req.header('X-CSRF-Token');
    if (!session || !sent || !safeEqual(sent, session.csrfToken))
      throw new AppException(ErrorCode.CSRF_TOKEN_INVALID, 'This request needs the X-CSRF-Token of your console session');
  }

  async close(session: ConsoleSession, correlationId: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`DELETE FROM operator_sessions WHERE token_hash = $1`, [session.tokenHash]);
      await this.audit.record(m, [
        {
          tenantId: session.operator.tenantId,
          actor: operatorActor(session.operator.username),
          action: 'console.logout',
          objectType: 'operator',
          objectId: session.operator.id,
          correlationId,
        },
      ]);
    });
  }
}

export function principalOf(o: Operator): Principal {
  return {
    tenantId: o.tenantId,
    participantId: null,
    participantCode: `user:${o.username}`,
    kind: 'operator',
    scopes: ROLE_SCOPES[o.role],
    operator: { id: o.id, username: o.username, role: o.role },
  };
}
