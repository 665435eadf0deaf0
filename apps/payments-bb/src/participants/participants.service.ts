import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  actorOf,
  AppException,
  AuditService,
  DEFAULT_SCOPES,
  ErrorCode,
  FieldCipher,
  ParticipantKind,
  RequestContext,
} from '@app/platform';
import { generateCredentials, GeneratedCredentials, IssuedCredentials } from './credentials';
import { Participant, ParticipantWithSecrets } from './participant';
import { ParticipantsRepository, publicView } from './participants.repository';

export interface NewParticipant {
  tenantId: string;
  code: string;
  name?: string;
  kind: ParticipantKind;
  scopes?: string[];
  callbackBases?: string[];
}

export interface CreatedParticipant {
  participant: Participant;
  credentials: IssuedCredentials;
}

const SYSTEM_ACTOR = { id: 'system', kind: 'system' };

/** The registry of API clients: source BBs, registries, FSPs, billers, merchants' gateways and operators. */
@Injectable()
export class ParticipantsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ParticipantsRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditService,
  ) {}

  private secretColumns(c: GeneratedCredentials) {
    return {
      clientSecretHash: c.clientSecretHash,
      apiKeyId: c.apiKeyId,
      apiKeyHash: c.apiKeyHash,
      callbackSecretEnc: this.cipher.seal(c.callbackSecret),
      callbackSecretKeyId: this.cipher.keyId,
    };
  }

  private issued(c: GeneratedCredentials): IssuedCredentials {
    return { clientId: c.clientId, clientSecret: c.clientSecret, apiKey: c.apiKey, callbackSecret: c.callbackSecret };
  }

  /** Creates the tenant if needed and the client; the credentials are returned here and never again. */
  async create(input: NewParticipant, ctx?: RequestContext, tx?: EntityManager): Promise<CreatedParticipant> {
    const creds = generateCredentials();
    const run = <T>(fn: (m: EntityManager) => Promise<T>) => (tx ? fn(tx) : this.ds.transaction(fn));
    return run(async (m) => {
      await this.repo.ensureTenant(m, input.tenantId, input.tenantId);
      const row = await this.repo.insert(m, {
        tenantId: input.tenantId,
        code: input.code,
        name: input.name ?? input.code,
        kind: input.kind,
        scopes: input.scopes ?? DEFAULT_SCOPES[input.kind],
        callbackBases: input.callbackBases ?? [],
        clientId: creds.clientId,
        ...this.secretColumns(creds),
      });
      if (!row) throw new AppException(ErrorCode.CONFLICT, `Participant '${input.code}' already exists in this tenant`);
      await this.recordAudit(m, row, 'participant.create', ctx);
      return { participant: publicView(row), credentials: this.issued(creds) };
    });
  }

  async rotateCredentials(tenantId: string, id: string, ctx: RequestContext): Promise<CreatedParticipant> {
    const creds = generateCredentials();
    return this.ds.transaction(async (m) => {
      const row = await this.repo.replaceCredentials(m, tenantId, id, this.secretColumns(creds));
      if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No participant ${id}`);
      await this.recordAudit(m, row, 'participant.rotate-credentials', ctx);
      // The client ID stays: tokens name it. Only the secrets change.
      return { participant: publicView(row), credentials: { ...this.issued(creds), clientId: row.clientId } };
    });
  }

  async update(
    tenantId: string,
    id: string,
    patch: { status?: 'active' | 'disabled'; scopes?: string[]; callbackBases?: string[]; name?: string },
    ctx: RequestContext,
  ): Promise<Participant> {
    return this.ds.transaction(async (m) => {
      const row = await this.repo.update(m, tenantId, id, patch);
      if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No participant ${id}`);
      await this.recordAudit(m, row, 'participant.update', ctx);
      return publicView(row);
    });
  }

  async get(tenantId: string, id: string): Promise<Participant> {
    const row = await this.repo.findById(tenantId, id);
    if (!row) throw new AppException(ErrorCode.NOT_FOUND, `No participant ${id}`);
    return publicView(row);
  }

  async list(tenantId: string, limit: number, offset: number): Promise<Participant[]> {
    return (await this.repo.list(tenantId, limit, offset)).map(publicView);
  }

  /** The active participant with this code in the tenant, if it is of one of the given kinds. */
  async findActive(
    tenantId: string,
    code: string,
    kinds: ParticipantKind[],
    m?: EntityManager,
  ): Promise<Participant | undefined> {
    const row = await this.repo.findByCode(tenantId, code, m);
    return row && row.status === 'active' && kinds.includes(row.kind) ? publicView(row) : undefined;
  }

  private recordAudit(m: EntityManager, p: ParticipantWithSecrets, action: string, ctx?: RequestContext) {
    return this.audit.record(m, [
      {
        tenantId: p.tenantId,
        actor: ctx ? actorOf(ctx.principal) : SYSTEM_ACTOR,
        action,
        objectType: 'participant',
        objectId: p.id,
        correlationId: ctx?.correlationId,
        after: { ...publicView(p), secrets: [p.clientSecretHash, p.apiKeyHash] },
        details: { code: p.code, kind: p.kind, status: p.status, scopes: p.scopes },
      },
    ]);
  }
}
