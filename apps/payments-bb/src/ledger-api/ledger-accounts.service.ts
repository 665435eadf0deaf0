import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Account, LedgerService, NewAccount, ReconciliationService, TransferResult } from '@app/ledger';
import { currencyExponent, parseAmount } from '@app/ledger/money';
import {
  actorOf,
  AppException,
  AuditService,
  digestOf,
  ErrorCode,
  IdempotencyService,
  RequestContext,
  StoredResponse,
} from '@app/platform';
import { CreateAccountDto, FundAccountDto, StatementDto } from './dto/account.dto';
import { FundResultDto } from './dto/transfer.dto';
import { LedgerApiService } from './ledger-api.service';
import { accountView, resultView, statementLineView } from './ledger-views';
import { decodeCursor, encodeCursor } from './statement-cursor';

const TREASURY_PREFIX = 'external:treasury:';
export const treasuryCode = (currency: string) => `${TREASURY_PREFIX}${currency}`;

/** Operator work on accounts: open them, fund them from the tenant's treasury, read balances and statements. */
@Injectable()
export class LedgerAccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly ledger: LedgerService,
    private readonly transfers: LedgerApiService,
    private readonly reports: ReconciliationService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async create(ctx: RequestContext, dto: CreateAccountDto): Promise<Account> {
    const account = this.newAccount(dto);
    return this.ds.transaction(async (m) => {
      const created = await this.ledger.createAccount(m, ctx.principal.tenantId, account);
      await this.auditAccount(m, ctx, created);
      return created;
    });
  }

  list(
    tenantId: string,
    filter: { currency?: string; kind?: string },
    limit: number,
    offset: number,
  ): Promise<Account[]> {
    return this.ledger.listAccounts(tenantId, filter, limit, offset);
  }

  async get(tenantId: string, id: string, m?: EntityManager): Promise<Account> {
    const [account] = await this.ledger.getAccounts(tenantId, [id], m);
    if (!account)
      throw new AppException(ErrorCode.LEDGER_ACCOUNT_NOT_FOUND, `No account ${id} in this tenant`);
    return account;
  }

  /**
   * A posted transfer from the tenant's treasury (an external account per currency, opened on first use)
   * to the account. Idempotent by `transferId`, and by the Idempotency-Key header, whose row is written in
   * the same transaction as the transfer: a replay answers the stored response.
   */
  async fund(
    ctx: RequestContext,
    accountId: string,
    dto: FundAccountDto,
    key?: string,
  ): Promise<StoredResponse<FundResultDto>> {
    const amount = parseAmount(dto.amount, dto.currency);
    const tenantId = ctx.principal.tenantId;
    return this.ds.transaction(async (m) => {
      const effect = () => this.fundIn(m, ctx, accountId, dto, amount);
      if (key === undefined) return { ...(await effect()), replayed: false };
      const claim = { tenantId, scope: 'ledger.fund', key, requestHash: digestOf({ accountId, ...dto }) };
      return this.idempotency.execute(m, claim, effect);
    });
  }

  async statement(tenantId: string, accountId: string, limit: number, after?: string): Promise<StatementDto> {
    await this.get(tenantId, accountId);
    const lines = await this.reports.statement(
      tenantId,
      accountId,
      after ? decodeCursor(after) : null,
      limit + 1,
    );
    const page = lines.slice(0, limit);
    const last = page[page.length - 1];
    return {
      accountId,
      items: page.map(statementLineView),
      nextCursor: lines.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }

  private async fundIn(
    m: EntityManager,
    ctx: RequestContext,
    accountId: string,
    dto: FundAccountDto,
    amount: bigint,
  ) {
    const tenantId = ctx.principal.tenantId;
    const account = await this.get(tenantId, accountId, m);
    if (account.currency !== dto.currency)
      throw new AppException(
        ErrorCode.LEDGER_CURRENCY_MISMATCH,
        `Account ${account.code} holds ${account.currency}, not ${dto.currency}`,
      );
    if (account.kind === 'external')
      throw new AppException(
        ErrorCode.LEDGER_INVALID_TRANSFER,
        `Account ${account.code} is external: fund internal accounts only`,
      );
    const treasury = await this.treasury(m, ctx, dto.currency);
    const [result]: TransferResult[] = await this.transfers.commit(
      m,
      ctx,
      [
        {
          id: dto.transferId ?? randomUUID(),
          kind: 'posted',
          debitAccountId: treasury.id,
          creditAccountId: account.id,
          amount,
          currency: dto.currency,
          code: 'funding',
          referenceType: 'funding',
          referenceId: dto.reference,
        },
      ],
      'ledger.account.fund',
    );
    const body: FundResultDto = {
      transfer: resultView(result),
      account: accountView(await this.get(tenantId, accountId, m)),
    };
    return { status: result.created ? 201 : 200, body };
  }

  /** The tenant's treasury for the currency: where funding comes from. Opening it is audited like any account. */
  private async treasury(m: EntityManager, ctx: RequestContext, currency: string): Promise<Account> {
    const tenantId = ctx.principal.tenantId;
    const spec: NewAccount = {
      code: treasuryCode(currency),
      name: `Treasury (external) ${currency}`,
      currency,
      kind: 'external',
    };
    const existing = await this.ledger.findAccountByCode(tenantId, spec.code, m);
    if (existing) return this.checkTreasury(existing, currency);
    try {
      const created = await this.ledger.createAccount(m, tenantId, spec);
      await this.auditAccount(m, ctx, created);
      return created;
    } catch (err) {
      // Opened by a concurrent funding meanwhile (INSERT … ON CONFLICT DO NOTHING: the transaction is intact).
      if (!(err instanceof AppException && err.code === ErrorCode.CONFLICT)) throw err;
      return this.checkTreasury(await this.ledger.ensureAccount(m, tenantId, spec), currency);
    }
  }

  private checkTreasury(a: Account, currency: string): Account {
    if (a.kind !== 'external' || a.currency !== currency)
      throw new AppException(
        ErrorCode.CONFLICT,
        `Account ${a.code} exists but is not an external ${currency} account`,
      );
    return a;
  }

  private newAccount(dto: CreateAccountDto): NewAccount {
    currencyExponent(dto.currency);
    const credits = dto.creditsMustNotExceedDebits ?? false;
    // A programme cannot spend more than it was funded with, unless the operator says otherwise.
    const debits = dto.debitsMustNotExceedCredits ?? (dto.kind === 'program_funding' && !credits);
    const bad = (message: string) => new AppException(ErrorCode.VALIDATION_FAILED, message, [message]);
    if (dto.kind === 'external' && (debits || credits)) throw bad('An external account takes no limit flags');
    if (debits && credits)
      throw bad('debitsMustNotExceedCredits and creditsMustNotExceedDebits exclude each other');
    if (
      dto.code.startsWith(TREASURY_PREFIX) &&
      !(dto.kind === 'external' && dto.code === treasuryCode(dto.currency))
    )
      throw bad(
        `Codes starting with '${TREASURY_PREFIX}' are reserved for the ${TREASURY_PREFIX}<currency> external account`,
      );
    return {
      code: dto.code,
      name: dto.name,
      currency: dto.currency,
      kind: dto.kind,
      debitsMustNotExceedCredits: debits,
      creditsMustNotExceedDebits: credits,
      reference: dto.reference,
    };
  }

  private auditAccount(m: EntityManager, ctx: RequestContext, a: Account): Promise<void> {
    return this.audit.record(m, [
      {
        tenantId: a.tenantId,
        actor: actorOf(ctx.principal),
        action: 'ledger.account.create',
        objectType: 'ledger_account',
        objectId: a.id,
        correlationId: ctx.correlationId,
        after: { ...accountView(a) },
        details: { code: a.code, currency: a.currency, kind: a.kind },
      },
    ]);
  }
}
