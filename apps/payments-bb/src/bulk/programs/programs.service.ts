import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { LedgerService } from '@app/ledger';
import { currencyExponent } from '@app/ledger/money';
import { actorOf, AppException, AuditService, ErrorCode, RequestContext } from '@app/platform';
import { ParticipantsService } from '../../participants/participants.service';
import { CreateProgramDto, PutFspConnectorDto, UpdateProgramDto } from './programs.dto';
import { FspConnectorConfig, Program } from './program';
import { ProgramsRepository } from './programs.repository';

/**
 * Programs and payer-FSP connectors, set up by operators. Creating a program opens its ledger accounts: the
 * funding account (refuses to go below zero, funded through the ledger API) and the payer FSP's settlement
 * account the payments are posted to.
 */
@Injectable()
export class ProgramsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ProgramsRepository,
    private readonly participants: ParticipantsService,
    private readonly ledger: LedgerService,
    private readonly callbacks: CallbacksService,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, dto: CreateProgramDto): Promise<Program> {
    const tenantId = ctx.principal.tenantId;
    currencyExponent(dto.currency);
    const fsp = await this.participants.findActive(tenantId, dto.payerFspCode, ['fsp']);
    if (!fsp) throw new AppException(ErrorCode.VALIDATION_FAILED, `payerFspCode '${dto.payerFspCode}' is not an active FSP participant`);
    const sourceBbIds = await this.sourceIds(tenantId, dto.sourceBbCodes);
    return this.ds.transaction(async (m) => {
      const funding = await this.ledger.ensureAccount(m, tenantId, {
        code: `program:${dto.code}:funding`,
        name: `Funding of program ${dto.code}`,
        currency: dto.currency,
        kind: 'program_funding',
        debitsMustNotExceedCredits: true,
      });
      const settlement = await this.ledger.ensureAccount(m, tenantId, {
        code: `fsp:${fsp.code}:${dto.currency}:disbursements`,
        name: `Disbursements through ${fsp.code} (${dto.currency})`,
        currency: dto.currency,
        kind: 'fsp_settlement',
      });
      if (funding.currency !== dto.currency || funding.kind !== 'program_funding' || !funding.debitsMustNotExceedCredits)
        throw new AppException(ErrorCode.CONFLICT, `Ledger account ${funding.code} exists with other settings`);
      const program = await this.repo.insert(m, {
        tenantId,
        code: dto.code,
        name: dto.name,
        currency: dto.currency,
        fundingAccountId: funding.id,
        settlementAccountId: settlement.id,
        payerFspId: fsp.id,
        payerIdentifier: dto.payerIdentifier,
        sourceBbIds,
        requiresApproval: dto.requiresApproval ?? true,
        subBatchSize: dto.subBatchSize ?? 1000,
        maxInFlight: dto.maxInFlight ?? 8,
      });
      if (!program) throw new AppException(ErrorCode.CONFLICT, `Program '${dto.code}' already exists`);
      await this.record(m, ctx, 'program.create', program);
      return program;
    });
  }

  async update(ctx: RequestContext, code: string, dto: UpdateProgramDto): Promise<Program> {
    const tenantId = ctx.principal.tenantId;
    const current = await this.get(tenantId, code);
    const sourceBbIds = dto.sourceBbCodes ? await this.sourceIds(tenantId, dto.sourceBbCodes) : undefined;
    return this.ds.transaction(async (m) => {
      await this.repo.update(m, tenantId, current.id, { ...dto, sourceBbIds });
      const after = (await this.repo.findById(tenantId, current.id, m))!;
      await this.record(m, ctx, 'program.update', after);
      return after;
    });
  }

  async get(tenantId: string, code: string): Promise<Program> {
    const p = await this.repo.findByCode(tenantId, code);
    if (!p) throw new AppException(ErrorCode.NOT_FOUND, `No program '${code}'`);
    return p;
  }

  list(tenantId: string): Promise<Program[]> {
    return this.repo.list(tenantId);
  }

  /**
   * The program a batch pays from: the one named (X-Program-Id), else the only active program the source may
   * use in the batch's currency. Ambiguity is an error, never a guess.
   */
  async choose(tenantId: string, sourceBbId: string, code: string | undefined, currency: string | undefined): Promise<Program> {
    const usable = await this.repo.usableBy(tenantId, sourceBbId);
    if (code) {
      const p = usable.find((x) => x.code === code);
      if (!p) throw new AppException(ErrorCode.PROGRAM_NOT_USABLE, `Program '${code}' does not exist, is disabled or is not open to this source BB`);
      return p;
    }
    const candidates = usable.length <= 1 ? usable : usable.filter((p) => p.currency === currency);
    if (candidates.length === 1) return candidates[0];
    throw new AppException(
      ErrorCode.PROGRAM_NOT_USABLE,
      candidates.length === 0 ? 'No active program is open to this source BB' : 'Several programs are open to this source BB: name one in X-Program-Id',
    );
  }

  async putConnector(ctx: RequestContext, fspCode: string, dto: PutFspConnectorDto): Promise<FspConnectorConfig> {
    const tenantId = ctx.principal.tenantId;
    const fsp = await this.participants.findActive(tenantId, fspCode, ['fsp']);
    if (!fsp) throw new AppException(ErrorCode.NOT_FOUND, `'${fspCode}' is not an active FSP participant`);
    // The connector is called with payees' addresses: only where the FSP's registration says it lives.
    await this.callbacks.assertUrlAllowed(tenantId, fsp.id, dto.baseUrl);
    await this.ds.transaction(async (m) => {
      await this.repo.upsertConnector(m, tenantId, fsp.id, dto.baseUrl, dto.timeoutMs ?? 10_000);
      await this.audit.record(m, [
        {
          tenantId,
          actor: actorOf(ctx.principal),
          action: 'fsp_connector.put',
          objectType: 'fsp_connector',
          objectId: fsp.id,
          correlationId: ctx.correlationId,
          after: dto,
          details: { fspCode },
        },
      ]);
    });
    return (await this.repo.connectors(tenantId, fsp.id))[0];
  }

  connectors(tenantId: string): Promise<FspConnectorConfig[]> {
    return this.repo.connectors(tenantId);
  }

  private async sourceIds(tenantId: string, codes: string[] | undefined): Promise<string[]> {
    const ids: string[] = [];
    for (const code of codes ?? []) {
      const p = await this.participants.findActive(tenantId, code, ['source_bb', 'registration_bb']);
      if (!p) throw new AppException(ErrorCode.UNKNOWN_SOURCE_BB, `Source BB '${code}' is not registered with this Payments BB`);
      ids.push(p.id);
    }
    return ids;
  }

  private record(m: EntityManager, ctx: RequestContext, action: string, p: Program): Promise<void> {
    return this.audit.record(m, [
      {
        tenantId: p.tenantId,
        actor: actorOf(ctx.principal),
        action,
        objectType: 'program',
        objectId: p.id,
        correlationId: ctx.correlationId,
        after: p,
        details: { code: p.code, requiresApproval: p.requiresApproval, status: p.status },
      },
    ]);
  }
}
