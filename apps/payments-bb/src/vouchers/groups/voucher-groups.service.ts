import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LedgerService } from '@app/ledger';
import { formatAmount, parseAmount } from '@app/ledger/money';
import { actorOf, AppException, AuditService, ErrorCode, RequestContext } from '@app/platform';
import { ProgramsRepository } from '../../bulk/programs/programs.repository';
import { VoucherGroup } from '../domain/voucher';
import { VoucherGroupsRepository } from './voucher-groups.repository';

export interface GroupInput {
  code: string;
  name: string;
  currency: string;
  programCode: string;
  denominations?: string[];
  validityDays?: number;
  expiresOn?: string | null;
  merchantGroups?: string[];
  lowStockThreshold?: number;
}

export interface StockReport {
  groupCode: string;
  currency: string;
  lowStockThreshold: number;
  /** Vouchers left to pre-activate, by denomination; `low` when at or below the threshold. */
  available: { amount: string; count: number; low: boolean }[];
  byState: { state: string; amount: string; count: number; value: string }[];
  lowStock: boolean;
}

/** Voucher groups, set up by operators: each is backed by a program's funding account and has its own liability account. */
@Injectable()
export class VoucherGroupsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: VoucherGroupsRepository,
    private readonly programs: ProgramsRepository,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, dto: GroupInput): Promise<VoucherGroup> {
    const tenantId = ctx.principal.tenantId;
    const program = await this.programs.findByCode(tenantId, dto.programCode);
    if (!program)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `programCode '${dto.programCode}' is not a program of this tenant`,
      );
    if (program.currency !== dto.currency)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `Program ${program.code} pays in ${program.currency}, not ${dto.currency}`,
      );
    const denominations = this.denominations(dto.denominations ?? [], dto.currency);
    return this.ds.transaction(async (m) => {
      const liability = await this.ledger.ensureAccount(m, tenantId, {
        code: `voucher-group:${dto.code}:liability`,
        name: `Outstanding vouchers of group ${dto.code}`,
        currency: dto.currency,
        kind: 'voucher_liability',
      });
      const group = await this.repo.insert(m, {
        tenantId,
        code: dto.code,
        name: dto.name,
        currency: dto.currency,
        programId: program.id,
        liabilityAccountId: liability.id,
        denominations,
        validityDays: dto.validityDays ?? 365,
        expiresOn: dto.expiresOn ? new Date(dto.expiresOn) : null,
        merchantGroups: dto.merchantGroups ?? [],
        lowStockThreshold: dto.lowStockThreshold ?? 0,
      });
      if (!group) throw new AppException(ErrorCode.CONFLICT, `Voucher group '${dto.code}' already exists`);
      await this.record(m, ctx, 'voucher_group.create', group);
      return group;
    });
  }

  async update(
    ctx: RequestContext,
    code: string,
    dto: Partial<GroupInput> & { status?: 'active' | 'disabled' },
  ): Promise<VoucherGroup> {
    const group = await this.get(ctx.principal.tenantId, code);
    return this.ds.transaction(async (m) => {
      await this.repo.update(m, group.id, {
        name: dto.name,
        denominations: dto.denominations ? this.denominations(dto.denominations, group.currency) : undefined,
        validityDays: dto.validityDays,
        expiresOn:
          dto.expiresOn === undefined ? undefined : dto.expiresOn === null ? null : new Date(dto.expiresOn),
        merchantGroups: dto.merchantGroups,
        lowStockThreshold: dto.lowStockThreshold,
        status: dto.status,
      });
      const after = (await this.repo.findById(group.tenantId, group.id, m))!;
      await this.record(m, ctx, 'voucher_group.update', after);
      return after;
    });
  }

  async get(tenantId: string, code: string): Promise<VoucherGroup> {
    const g = await this.repo.findByCode(tenantId, code);
    if (!g) throw new AppException(ErrorCode.NOT_FOUND, `No voucher group '${code}'`);
    return g;
  }

  list(tenantId: string, limit: number, offset: number): Promise<VoucherGroup[]> {
    return this.repo.list(tenantId, limit, offset);
  }

  async stock(tenantId: string, code: string): Promise<StockReport> {
    const g = await this.get(tenantId, code);
    const lines = await this.repo.stock(g.id);
    const provisioned = new Map(
      lines.filter((l) => l.state === 'provisioned').map((l) => [l.amount, l.count]),
    );
    const amounts = new Set([...g.denominations, ...provisioned.keys()]);
    const available = [...amounts]
      .sort((a, b) => (a < b ? -1 : 1))
      .map((a) => {
        const count = provisioned.get(a) ?? 0;
        return { amount: formatAmount(a, g.currency), count, low: count <= g.lowStockThreshold };
      });
    return {
      groupCode: g.code,
      currency: g.currency,
      lowStockThreshold: g.lowStockThreshold,
      available,
      byState: lines.map((l) => ({
        state: l.state,
        amount: formatAmount(l.amount, g.currency),
        count: l.count,
        value: formatAmount(l.value, g.currency),
      })),
      lowStock: available.some((a) => a.low),
    };
  }

  private denominations(values: string[], currency: string): bigint[] {
    const list = values.map((v, i) => parseAmount(v, currency, `denominations[${i}]`));
    return [...new Set(list)].sort((a, b) => (a < b ? -1 : 1));
  }

  private async record(
    m: import('typeorm').EntityManager,
    ctx: RequestContext,
    action: string,
    g: VoucherGroup,
  ) {
    await this.audit.record(m, [
      {
        tenantId: g.tenantId,
        actor: actorOf(ctx.principal),
        action,
        objectType: 'voucher_group',
        objectId: g.id,
        correlationId: ctx.correlationId,
        after: { ...g, denominations: g.denominations.map(String) },
      },
    ]);
  }
}
