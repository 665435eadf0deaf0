import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { isCurrency } from '@app/ledger/money';
import {
  actorOf,
  AppConfig,
  AppException,
  AuditService,
  ErrorCode,
  FieldCipher,
  RequestContext,
} from '@app/platform';
import { IssuedCredentials } from '../../participants/credentials';
import { ParticipantsService } from '../../participants/participants.service';
import { toMinor } from '../minor-units';
import { Biller, billerView, payableAccountCode } from './biller';
import { BillerEndpoints } from './biller-endpoints';
import { BillerPatch, BillersRepository } from './billers.repository';
import { OnboardBillerDto, UpdateBillerDto } from './billers.dto';

const FIRST_PREFIX = 1000;
const LAST_PREFIX = 9999;

/**
 * The biller registry (spec 9.3.1). Onboarding allocates the biller ID and the four-digit bill-ID prefix, creates
 * the API client the biller calls the server with (its credentials are returned once), and, under maker-checker,
 * waits for a second operator. A biller is payable only when active; activation opens its payable accounts.
 */
@Injectable()
export class BillersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BillersRepository,
    private readonly participants: ParticipantsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly cipher: FieldCipher,
    private readonly endpoints: BillerEndpoints,
    private readonly config: AppConfig,
  ) {}

  async onboard(
    ctx: RequestContext,
    dto: OnboardBillerDto,
  ): Promise<{ biller: ReturnType<typeof billerView>; credentials: IssuedCredentials }> {
    const currencies = [...new Set(dto.currencies)];
    const bad = currencies.filter((c) => !isCurrency(c));
    if (bad.length)
      throw new AppException(ErrorCode.VALIDATION_FAILED, `Unknown currency: ${bad.join(', ')}`);
    if (!dto.baseUrl === !dto.digit)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'Give baseUrl (an external biller) or digit (an internal one), not both',
      );
    const tenantId = ctx.principal.tenantId;
    const actor = actorOf(ctx.principal);
    const makerChecker = this.config.env.P2G_ONBOARDING_MAKER_CHECKER;
    return this.ds.transaction(async (m) => {
      const seq = await this.repo.nextCounter(m, tenantId, 'biller', 1);
      const prefix = await this.repo.nextCounter(m, tenantId, 'prefix', FIRST_PREFIX);
      if (prefix > LAST_PREFIX)
        throw new AppException(
          ErrorCode.CONFLICT,
          'Every four-digit bill-ID prefix of this tenant is allocated',
        );
      const billerId = `BLR${String(seq).padStart(6, '0')}`;
      const created = await this.participants.create(
        {
          tenantId,
          code: billerId,
          name: dto.name,
          kind: 'biller',
          callbackBases: [...new Set([...(dto.baseUrl ? [dto.baseUrl] : []), ...(dto.callbackBases ?? [])])],
        },
        ctx,
        m,
      );
      const sealed = dto.auth ? this.cipher.seal(dto.auth.headerValue) : null;
      let biller = await this.repo.insert(m, {
        tenantId,
        billerId,
        prefix: String(prefix),
        name: dto.name.trim(),
        shortName: (dto.shortName ?? dto.name.trim()).slice(0, 10),
        kind: dto.kind,
        participantId: created.participant.id,
        baseUrl: dto.baseUrl ?? null,
        digit: dto.digit
          ? { tenantId: dto.digit.tenantId, businessService: dto.digit.businessService }
          : null,
        authHeaderName: dto.auth?.headerName ?? null,
        authHeaderEnc: sealed,
        authHeaderKeyId: sealed ? this.cipher.keyId : null,
        timeoutMs: dto.timeoutMs ?? 3000,
        currencies,
        settlementBankCode: dto.settlementAccount.bankCode,
        settlementAccount: dto.settlementAccount.accountNumber,
        settlementName: dto.settlementAccount.accountName ?? null,
        amountExactness: dto.rules.amountExactness,
        partialPayment: dto.rules.partialPayment ?? false,
        minAmount: dto.rules.minAmount === undefined ? 0n : toMinor(dto.rules.minAmount, 'rules.minAmount'),
        status: makerChecker ? 'pending_approval' : 'active',
        createdBy: actor.id,
      });
      if (!makerChecker) {
        biller = await this.repo.decide(m, biller.id, 'active', actor.id, 'maker-checker off');
        await this.openAccounts(m, biller);
      }
      await this.record(m, ctx, biller, 'biller.onboard');
      return { biller: billerView(biller), credentials: created.credentials };
    });
  }

  async approve(ctx: RequestContext, billerId: string, reason?: string) {
    return this.decide(ctx, billerId, 'active', reason);
  }

  async reject(ctx: RequestContext, billerId: string, reason?: string) {
    return this.decide(ctx, billerId, 'rejected', reason);
  }

  private async decide(ctx: RequestContext, billerId: string, to: 'active' | 'rejected', reason?: string) {
    const actor = actorOf(ctx.principal);
    const biller = await this.ds.transaction(async (m) => {
      const b = await this.mustFind(m, ctx.principal.tenantId, billerId, true);
      if (b.status !== 'pending_approval')
        throw new AppException(
          ErrorCode.P2G_STATE_CONFLICT,
          `Biller ${billerId} is ${b.status}, not pending approval`,
        );
      if (b.createdBy === actor.id)
        throw new AppException(
          ErrorCode.MAKER_CANNOT_APPROVE,
          'The operator who onboarded a biller cannot decide on it',
        );
      const decided = await this.repo.decide(m, b.id, to, actor.id, reason ?? null);
      if (to === 'active') await this.openAccounts(m, decided);
      await this.record(m, ctx, decided, to === 'active' ? 'biller.approve' : 'biller.reject', b);
      return decided;
    });
    this.endpoints.forget(biller);
    return billerView(biller);
  }

  async update(ctx: RequestContext, billerId: string, dto: UpdateBillerDto) {
    const biller = await this.ds.transaction(async (m) => {
      const b = await this.mustFind(m, ctx.principal.tenantId, billerId, true);
      if (dto.currencies?.some((c) => !isCurrency(c)))
        throw new AppException(ErrorCode.VALIDATION_FAILED, 'Unknown currency');
      const patch: BillerPatch = {
        name: dto.name,
        baseUrl: dto.baseUrl,
        timeoutMs: dto.timeoutMs,
        currencies: dto.currencies ? [...new Set(dto.currencies)] : undefined,
        amountExactness: dto.rules?.amountExactness,
        partialPayment: dto.rules?.partialPayment,
        minAmount:
          dto.rules?.minAmount === undefined ? undefined : toMinor(dto.rules.minAmount, 'rules.minAmount'),
      };
      if (dto.auth === null)
        Object.assign(patch, { authHeaderName: null, authHeaderEnc: null, authHeaderKeyId: null });
      else if (dto.auth)
        Object.assign(patch, {
          authHeaderName: dto.auth.headerName,
          authHeaderEnc: this.cipher.seal(dto.auth.headerValue),
          authHeaderKeyId: this.cipher.keyId,
        });
      let updated = await this.repo.update(m, b.id, patch);
      if (dto.status && dto.status !== b.status) {
        if (b.status !== 'active' && b.status !== 'suspended')
          throw new AppException(
            ErrorCode.P2G_STATE_CONFLICT,
            `Biller ${billerId} is ${b.status}; approve it first`,
          );
        updated = await this.repo.setStatus(m, b.id, dto.status);
      }
      if (updated.status === 'active') await this.openAccounts(m, updated);
      if (dto.baseUrl && updated.participantId) {
        const p = await this.participants.get(updated.tenantId, updated.participantId);
        if (!p.callbackBases.includes(dto.baseUrl))
          await this.participants.update(
            updated.tenantId,
            updated.participantId,
            { callbackBases: [...p.callbackBases, dto.baseUrl] },
            ctx,
          );
      }
      await this.record(m, ctx, updated, 'biller.update', b);
      return updated;
    });
    this.endpoints.forget(biller);
    return billerView(biller);
  }

  async get(tenantId: string, billerId: string) {
    return billerView(await this.mustFind(this.ds.manager, tenantId, billerId));
  }

  async list(tenantId: string, status?: string) {
    return (await this.repo.list(tenantId, { status })).map(billerView);
  }

  /**
   * The list payer FIs are given when they link (spec 9.3.2): every active biller with its prefix, currencies,
   * rules and the account bill payments are settled to.
   */
  async exportForPayerFis(tenantId: string) {
    return (await this.repo.list(tenantId, { status: 'active' })).map((b) => ({
      billerId: b.billerId,
      billerName: b.shortName,
      name: b.name,
      kind: b.kind,
      prefix: b.prefix,
      currencies: b.currencies,
      amountExactness: b.rules.amountExactness,
      partialPayment: b.rules.partialPayment,
      minAmount: b.rules.minAmount.toString(),
      settlementBankCode: b.settlement.bankCode,
      settlementAccount: b.settlement.accountNumber,
      settlementAccountName: b.settlement.accountName,
    }));
  }

  private async mustFind(
    m: EntityManager,
    tenantId: string,
    billerId: string,
    lock = false,
  ): Promise<Biller> {
    const b = await this.repo.findByBillerId(tenantId, billerId, m, lock);
    if (!b) throw new AppException(ErrorCode.NOT_FOUND, `No biller ${billerId}`);
    return b;
  }

  private async openAccounts(m: EntityManager, b: Biller): Promise<void> {
    for (const currency of b.currencies)
      await this.ledger.ensureAccount(m, b.tenantId, {
        code: payableAccountCode(b.billerId, currency),
        name: `Bill payments payable to ${b.billerId} (${currency})`,
        currency,
        kind: 'biller_payable',
        reference: b.id,
      });
  }

  private record(m: EntityManager, ctx: RequestContext, b: Biller, action: string, before?: Biller) {
    return this.audit.record(m, [
      {
        tenantId: b.tenantId,
        actor: actorOf(ctx.principal),
        action,
        objectType: 'biller',
        objectId: b.id,
        correlationId: ctx.correlationId,
        before: before ? billerView(before) : undefined,
        after: billerView(b),
        details: { billerId: b.billerId, prefix: b.prefix, status: b.status },
      },
    ]);
  }
}
