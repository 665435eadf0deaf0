import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  actorOf,
  Actor,
  AppConfig,
  AppException,
  AuditService,
  ErrorCode,
  hashPassword,
  operatorActor,
  passwordMatches,
  RequestContext,
} from '@app/platform';
import { Operator, OperatorStatus, OperatorWithSecret, PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN } from './operator';
import { OperatorsRepository } from './operators.repository';
import { OperatorRole } from './roles';

/** scrypt N=2^15 (32 MiB, tens of milliseconds): slow for a guesser, fine for a person logging in. */
const HASH = { logN: 15 };

export interface NewOperator {
  tenantId: string;
  username: string;
  displayName: string;
  role: OperatorRole;
  password: string;
}

/** Operator accounts: creation and changes by admins (audited), password checks with lockout at login. */
@Injectable()
export class OperatorsService {
  private readonly logger = new Logger(OperatorsService.name);
  /** Checked against when the username is unknown, so that both failures take the same time. */
  private readonly decoy = hashPassword('not a password of anyone', HASH);

  constructor(
    private readonly repo: OperatorsRepository,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /**
   * The operator whose password this is. Every refusal is the same 401, whether the name is unknown, the
   * password wrong, the account disabled or locked: the answer tells a guesser nothing.
   */
  async verifyLogin(username: string, password: string, correlationId: string): Promise<Operator> {
    const refused = new AppException(
      ErrorCode.UNAUTHENTICATED,
      'Wrong username or password (after repeated failures an account is locked for a while)',
    );
    const o = USERNAME_PATTERN.test(username) ? await this.repo.byUsername(username) : undefined;
    if (!o) {
      await passwordMatches(password, await this.decoy);
      throw refused;
    }
    const locked = o.lockedUntil !== null && o.lockedUntil > new Date();
    const matches = await passwordMatches(password, o.passwordHash);
    if (locked || o.status !== 'active' || !matches) {
      if (!locked && o.status === 'active')
        await this.repo.recordFailure(o.id, this.config.env.CONSOLE_LOGIN_MAX_FAILURES, this.config.env.CONSOLE_LOCKOUT_MINUTES);
      await this.ds.transaction((m) =>
        this.record(m, o, operatorActor(o.username), 'console.login.refused', correlationId, {
          reason: locked ? 'locked' : o.status !== 'active' ? 'disabled' : 'password',
        }),
      );
      this.logger.warn(`Console login refused for operator ${o.id}`);
      throw refused;
    }
    return o;
  }

  list(tenantId: string): Promise<Operator[]> {
    return this.repo.list(tenantId);
  }

  /** By an admin through the API, or by the CLI and the demo bootstrap (actor 'system'). */
  async create(input: NewOperator, actor: Actor, correlationId?: string): Promise<Operator> {
    checkUsername(input.username);
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password, HASH);
    return this.ds.transaction(async (m) => {
      const o = await this.repo.insert(m, { ...input, passwordHash, createdBy: actor.id });
      if (!o) throw new AppException(ErrorCode.CONFLICT, `The username '${input.username}' is taken`);
      await this.record(m, o, actor, 'operator.create', correlationId, { role: o.role });
      return o;
    });
  }

  /** Role, status or password changes end the operator's sessions: the new rights apply from the next login. */
  async update(
    ctx: RequestContext,
    id: string,
    c: { displayName?: string; role?: OperatorRole; status?: OperatorStatus; password?: string },
  ): Promise<Operator> {
    if (c.password !== undefined) checkPassword(c.password);
    if (ctx.principal.operator?.id === id && (c.role !== undefined || c.status === 'disabled'))
      throw new AppException(ErrorCode.FORBIDDEN, 'Operators cannot change their own role or disable themselves');
    const passwordHash = c.password === undefined ? undefined : await hashPassword(c.password, HASH);
    return this.ds.transaction(async (m) => {
      const before = await this.repo.byId(ctx.principal.tenantId, id, m, true);
      if (!before) throw new AppException(ErrorCode.NOT_FOUND, `No operator ${id}`);
      const after = await this.repo.update(m, id, { displayName: c.displayName, role: c.role, status: c.status, passwordHash });
      const rightsChanged = after.role !== before.role || after.status !== before.status || passwordHash !== undefined;
      if (rightsChanged) await this.repo.deleteSessionsOf(m, id);
      await this.record(m, after, actorOf(ctx.principal), 'operator.update', ctx.correlationId, {
        fields: Object.keys(c).filter((k) => c[k as keyof typeof c] !== undefined),
        role: after.role,
        status: after.status,
      });
      return after;
    });
  }

  /** The operator's own change: needs the current password; their other sessions end. */
  async changeOwnPassword(operator: Operator, current: string, next: string, keepSession: string, correlationId: string): Promise<void> {
    checkPassword(next);
    const o = (await this.repo.byId(operator.tenantId, operator.id)) as OperatorWithSecret;
    if (!(await passwordMatches(current, o.passwordHash)))
      throw new AppException(ErrorCode.FORBIDDEN, 'The current password is wrong');
    const passwordHash = await hashPassword(next, HASH);
    await this.ds.transaction(async (m) => {
      await this.repo.update(m, o.id, { passwordHash });
      await this.repo.deleteSessionsOf(m, o.id, keepSession);
      await this.record(m, o, operatorActor(o.username), 'operator.password', correlationId);
    });
  }

  private record(m: EntityManager, o: Operator, actor: Actor, action: string, correlationId?: string, details?: Record<string, unknown>) {
    return this.audit.record(m, [{ tenantId: o.tenantId, actor, action, objectType: 'operator', objectId: o.id, correlationId, details }]);
  }
}

function checkUsername(u: string): void {
  if (!USERNAME_PATTERN.test(u))
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'username must be 3-64 characters of a-z, 0-9, ., _ or -');
}

function checkPassword(p: string): void {
  if (typeof p !== 'string' || p.length < PASSWORD_MIN || p.length > PASSWORD_MAX)
    throw new AppException(ErrorCode.VALIDATION_FAILED, `A password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
}
