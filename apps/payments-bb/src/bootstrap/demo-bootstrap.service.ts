import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig, DEFAULT_SCOPES } from '@app/platform';
import { ParticipantsService } from '../participants/participants.service';
import { OperatorsService } from '../operators/operators.service';
import { OPERATOR_ROLES } from '../operators/roles';
import { randomBytes } from 'node:crypto';

/**
 * The GovStack building blocks that call the Payments BB. Voucher calls name their caller in `Gov_Stack_BB`
 * (the sandbox seed uses `bb-digital-registries`), which must be a registered participant (460 otherwise), so
 * the demo registers each of them as a source BB.
 */
export const GOVSTACK_BUILDING_BLOCKS = [
  'bb-digital-registries',
  'bb-registration',
  'bb-workflow',
  'bb-consent',
  'bb-identity',
  'bb-messaging',
  'bb-scheduler',
  'bb-e-marketplace',
] as const;

/**
 * On a fresh development install, creates a demo tenant with two operators (maker and checker), a registration BB (also the demo source BB), a payer FSP and the
 * GovStack building-block names so that `npm start` is usable at once. The credentials go to a 0600 file next to the dev secrets, not to the log.
 * Off in production unless BOOTSTRAP_DEMO=true.
 */
@Injectable()
export class DemoBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly participants: ParticipantsService,
    private readonly operators: OperatorsService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.BOOTSTRAP_DEMO || !this.config.runsApi) return;
    await this.clients();
    await this.consoleOperators();
  }

  /** One console operator per role (demo-admin, demo-maker, ...), passwords generated into a 0600 file. */
  private async consoleOperators(): Promise<void> {
    const tenantId = this.config.env.DEFAULT_TENANT_ID;
    const existing = (await this.ds.query(`SELECT 1 FROM operator_users WHERE tenant_id = $1 LIMIT 1`, [tenantId])) as [];
    if (existing.length) return;
    try {
      const operators: Record<string, { username: string; password: string }> = {};
      for (const role of OPERATOR_ROLES) {
        const username = `demo-${role}`;
        const password = randomBytes(15).toString('base64url');
        await this.operators.create({ tenantId, username, role, password, displayName: `Demo ${role}` }, { id: 'system:demo', kind: 'system' });
        operators[role] = { username, password };
      }
      const file = this.writePrivate('demo-console-credentials.json', { tenantId, url: `http://localhost:${this.config.env.PORT}/console/`, operators });
      this.logger.warn(`Created demo console operators; their passwords are in ${file} (shown nowhere else)`);
    } catch (err) {
      this.logger.debug(`Demo console operators skipped: ${(err as Error).message}`);
    }
  }

  private async clients(): Promise<void> {
    const tenantId = this.config.env.DEFAULT_TENANT_ID;
    const existing = (await this.ds.query(`SELECT 1 FROM participants WHERE tenant_id = $1 LIMIT 1`, [tenantId])) as [];
    if (existing.length) return;
    try {
      const operator = await this.participants.create({ tenantId, code: 'demo-operator', kind: 'operator' });
      // A second operator, so that maker-checker steps (batch approval, biller onboarding) can be tried.
      const checker = await this.participants.create({ tenantId, code: 'demo-checker', kind: 'operator' });
      const registry = await this.participants.create({
        tenantId,
        code: 'DEMOREGISTRY',
        kind: 'registration_bb',
        // The registry is also the demo's source BB: it registers payees and hands over batches.
        scopes: [...DEFAULT_SCOPES.source_bb],
        callbackBases: ['http://127.0.0.1:4010/'],
      });
      // The payer FSP simulator of `npm run start:simulators` listens there; it pushes statuses with this key.
      const payerFsp = await this.participants.create({
        tenantId,
        code: 'DEMOPAYERFSP',
        kind: 'fsp',
        callbackBases: ['http://127.0.0.1:4020/'],
      });
      const buildingBlocks: Record<string, unknown> = {};
      for (const code of GOVSTACK_BUILDING_BLOCKS)
        buildingBlocks[code] = await this.participants.create({ tenantId, code, kind: 'source_bb' });
      const file = this.writePrivate('demo-credentials.json', { tenantId, operator, checker, registry, payerFsp, buildingBlocks });
      this.logger.warn(`Created demo tenant '${tenantId}'; its client credentials are in ${file} (shown nowhere else)`);
    } catch (err) {
      // Two processes booting together: the other one created them.
      this.logger.debug(`Demo bootstrap skipped: ${(err as Error).message}`);
    }
  }

  /** Credentials go to a 0600 file next to the dev secrets, never to the log; answers its path. */
  private writePrivate(name: string, content: unknown): string {
    const file = join(dirname(this.config.env.SECRETS_FILE), name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(content, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  }
}
