import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '@app/database';
import { Operator, OperatorStatus, OperatorWithSecret } from './operator';
import { OperatorRole } from './roles';

interface Row {
  id: string;
  tenant_id: string;
  username: string;
  display_name: string;
  role: OperatorRole;
  status: OperatorStatus;
  password_hash: string;
  failed_logins: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

const toOperator = (r: Row): OperatorWithSecret => ({
  id: r.id,
  tenantId: r.tenant_id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  status: r.status,
  passwordHash: r.password_hash,
  failedLogins: r.failed_logins,
  lockedUntil: r.locked_until,
  lastLoginAt: r.last_login_at,
  createdAt: r.created_at,
});

export interface SessionRow {
  operator: Operator;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
}

export interface OperatorChanges {
  displayName?: string;
  role?: OperatorRole;
  status?: OperatorStatus;
  passwordHash?: string;
}

/** The SQL of operator accounts and their sessions. */
@Injectable()
export class OperatorsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(
    m: EntityManager,
    o: { tenantId: string; username: string; displayName: string; role: OperatorRole; passwordHash: string; createdBy: string },
  ): Promise<OperatorWithSecret | undefined> {
    await m.query(`INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING`, [o.tenantId]);
    const rows = (await m.query(
      `INSERT INTO operator_users (tenant_id, username, display_name, role, password_hash, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING *`,
      [o.tenantId, o.username, o.displayName, o.role, o.passwordHash, o.createdBy],
    )) as Row[];
    return rows[0] && toOperator(rows[0]);
  }

  async byUsername(username: string): Promise<OperatorWithSecret | undefined> {
    const rows = (await this.ds.query(`SELECT * FROM operator_users WHERE username = $1`, [username])) as Row[];
    return rows[0] && toOperator(rows[0]);
  }

  async byId(tenantId: string, id: string, m: EntityManager = this.ds.manager, lock = false): Promise<OperatorWithSecret | undefined> {
    const rows = (await m.query(
      `SELECT * FROM operator_users WHERE tenant_id = $1 AND id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [tenantId, id],
    )) as Row[];
    return rows[0] && toOperator(rows[0]);
  }

  async list(tenantId: string): Promise<Operator[]> {
    const rows = (await this.ds.query(`SELECT * FROM operator_users WHERE tenant_id = $1 ORDER BY username`, [tenantId])) as Row[];
    return rows.map(toOperator);
  }

  async update(m: EntityManager, id: string, c: OperatorChanges): Promise<OperatorWithSecret> {
    const rows = returnedRows<Row>(await m.query(
      `UPDATE operator_users SET
         display_name = COALESCE($2, display_name),
         role = COALESCE($3, role),
         status = COALESCE($4, status),
         password_hash = COALESCE($5, password_hash),
         password_changed_at = CASE WHEN $5::text IS NULL THEN password_changed_at ELSE now() END,
         -- Re-enabling or resetting the password is also how an admin lifts a lockout.
         failed_logins = CASE WHEN $4::text = 'active' OR $5::text IS NOT NULL THEN 0 ELSE failed_logins END,
         locked_until = CASE WHEN $4::text = 'active' OR $5::text IS NOT NULL THEN NULL ELSE locked_until END,
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, c.displayName ?? null, c.role ?? null, c.status ?? null, c.passwordHash ?? null],
    ));
    return toOperator(rows[0]);
  }

  /** One more failure, atomically: the row's own counter decides the lock, so parallel guesses cannot race past it. */
  async recordFailure(id: string, maxFailures: number, lockoutMinutes: number): Promise<void> {
    await this.ds.query(
      `UPDATE operator_users SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
       WHERE id = $1`,
      [id, maxFailures, lockoutMinutes],
    );
  }

  async recordSuccess(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE operator_users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1`, [id]);
  }

  async insertSession(m: EntityManager, tokenHash: string, operator: { id: string; tenantId: string }, csrfToken: string, expiresAt: Date): Promise<void> {
    await m.query(
      `INSERT INTO operator_sessions (token_hash, tenant_id, operator_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [tokenHash, operator.tenantId, operator.id, csrfToken, expiresAt],
    );
  }

  /** A live session of an active operator: not past its absolute expiry, not idle for longer than allowed. */
  async liveSession(tokenHash: string, idleMinutes: number): Promise<SessionRow | undefined> {
    const rows = (await this.ds.query(
      `SELECT u.*, s.csrf_token, s.expires_at AS session_expires_at, s.last_seen_at AS session_last_seen_at
       FROM operator_sessions s JOIN operator_users u ON u.id = s.operator_id AND u.tenant_id = s.tenant_id
       WHERE s.token_hash = $1 AND u.status = 'active' AND s.expires_at > now()
         AND s.last_seen_at > now() - make_interval(mins => $2)`,
      [tokenHash, idleMinutes],
    )) as (Row & { csrf_token: string; session_expires_at: Date; session_last_seen_at: Date })[];
    const r = rows[0];
    return r && { operator: toOperator(r), csrfToken: r.csrf_token, expiresAt: r.session_expires_at, lastSeenAt: r.session_last_seen_at };
  }

  async touchSession(tokenHash: string): Promise<void> {
    await this.ds.query(`UPDATE operator_sessions SET last_seen_at = now() WHERE token_hash = $1`, [tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.ds.query(`DELETE FROM operator_sessions WHERE token_hash = $1`, [tokenHash]);
  }

  /** Ends an operator's sessions, except one (the caller's own, after a password change). */
  async deleteSessionsOf(m: EntityManager, operatorId: string, except?: string): Promise<void> {
    await m.query(`DELETE FROM operator_sessions WHERE operator_id = $1 AND token_hash IS DISTINCT FROM $2`, [operatorId, except ?? null]);
  }

  /** Dead sessions are removed when their operator next logs in: the table never grows past live ones plus a few. */
  async deleteDeadSessionsOf(m: EntityManager, operatorId: string, idleMinutes: number): Promise<void> {
    await m.query(
      `DELETE FROM operator_sessions WHERE operator_id = $1 AND (expires_at <= now() OR last_seen_at <= now() - make_interval(mins => $2))`,
      [operatorId, idleMinutes],
    );
  }
}
