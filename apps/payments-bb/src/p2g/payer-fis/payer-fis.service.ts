import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, AppException, AuditService, ErrorCode, Principal, RequestContext } from '@app/platform';
import { IssuedCredentials } from '../../participants/credentials';
import { ParticipantsService } from '../../participants/participants.service';
import { PayerFi, PayerFisRepository } from './payer-fis.repository';
import { RegisterPayerFiDto, UpdatePayerFiDto } from './payer-fis.dto';

const TTL_MS = 5_000;

/** Links FSPs for bill payment and answers "is this caller a payer FI that may pay bills?". */
@Injectable()
export class PayerFisService {
  private readonly cache = new Map<string, { at: number; fi: PayerFi | undefined }>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: PayerFisRepository,
    private readonly participants: ParticipantsService,
    private readonly audit: AuditService,
  ) {}

  async register(
    ctx: RequestContext,
    dto: RegisterPayerFiDto,
  ): Promise<{ payerFi: PayerFi; credentials: IssuedCredentials | null }> {
    const tenantId = ctx.principal.tenantId;
    return this.ds.transaction(async (m) => {
      let credentials: IssuedCredentials | null = null;
      let participant = await this.participants.findActive(tenantId, dto.code, ['fsp'], m);
      if (!participant) {
        const created = await this.participants.create(
          { tenantId, code: dto.code, name: dto.name, kind: 'fsp', callbackBases: [dto.baseUrl] },
          ctx,
          m,
        );
        participant = created.participant;
        credentials = created.credentials;
      } else if (!participant.callbackBases.includes(dto.baseUrl)) {
        await this.participants.update(
          tenantId,
          participant.id,
          { callbackBases: [...participant.callbackBases, dto.baseUrl] },
          ctx,
        );
      }
      const ok = await this.repo.insert(m, {
        tenantId,
        participantId: participant.id,
        bic: dto.bic,
        baseUrl: dto.baseUrl,
      });
      if (!ok)
        throw new AppException(
          ErrorCode.CONFLICT,
          `Payer FI ${dto.code} or BIC ${dto.bic} is already linked`,
        );
      const fi = (await this.repo.byParticipant(tenantId, participant.id, m))!;
      await this.audit.record(m, [
        {
          tenantId,
          actor: actorOf(ctx.principal),
          action: 'payer-fi.register',
          objectType: 'payer_fi',
          objectId: participant.id,
          correlationId: ctx.correlationId,
          after: fi,
        },
      ]);
      return { payerFi: fi, credentials };
    });
  }

  async update(ctx: RequestContext, code: string, dto: UpdatePayerFiDto): Promise<PayerFi> {
    const tenantId = ctx.principal.tenantId;
    const fi = (await this.repo.list(tenantId)).find((f) => f.code === code);
    if (!fi) throw new AppException(ErrorCode.NOT_FOUND, `No payer FI ${code}`);
    await this.ds.transaction(async (m) => {
      await this.repo.update(m, tenantId, fi.participantId, dto);
      await this.audit.record(m, [
        {
          tenantId,
          actor: actorOf(ctx.principal),
          action: 'payer-fi.update',
          objectType: 'payer_fi',
          objectId: fi.participantId,
          correlationId: ctx.correlationId,
          before: fi,
          after: dto,
        },
      ]);
    });
    this.cache.delete(`${tenantId}\u0000${fi.participantId}`);
    return (await this.repo.byParticipant(tenantId, fi.participantId))!;
  }

  list(tenantId: string): Promise<PayerFi[]> {
    return this.repo.list(tenantId);
  }

  /**
   * The calling payer FI, or P2G_PAYER_FI_NOT_REGISTERED. X-PayerFI-Id, when sent, must name the caller (its code
   * or BIC): one FI cannot act under another's name.
   */
  async caller(principal: Principal, named?: string): Promise<PayerFi> {
    // AUTH_MODE=none: the Information Mediator vouches for the caller, which X-PayerFI-Id names.
    const fi = principal.participantId
      ? await this.cached(principal.tenantId, principal.participantId)
      : principal.kind === 'sandbox' && named
        ? await this.repo.byCodeOrBic(principal.tenantId, named)
        : undefined;
    if (!fi || fi.status !== 'active')
      throw new AppException(
        ErrorCode.P2G_PAYER_FI_NOT_REGISTERED,
        `${principal.participantId ? principal.participantCode : (named ?? 'The caller')} is not a payer FI linked for bill payment`,
      );
    if (named && named !== fi.code && named.toUpperCase() !== fi.bic.toUpperCase())
      throw new AppException(ErrorCode.FORBIDDEN, `X-PayerFI-Id ${named} is not the calling payer FI`);
    return fi;
  }

  byParticipant(tenantId: string, participantId: string): Promise<PayerFi | undefined> {
    return this.repo.byParticipant(tenantId, participantId);
  }

  byBic(tenantId: string, bic: string): Promise<PayerFi | undefined> {
    return this.repo.byBic(tenantId, bic);
  }

  private async cached(tenantId: string, participantId: string): Promise<PayerFi | undefined> {
    const key = `${tenantId}\u0000${participantId}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.fi;
    const fi = await this.repo.byParticipant(tenantId, participantId);
    this.cache.set(key, { at: Date.now(), fi });
    return fi;
  }
}
