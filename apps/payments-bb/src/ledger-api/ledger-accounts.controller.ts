import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, CurrentPrincipal, Principal, RequestContext, RequireScopes } from '@app/platform';
import {
  AccountDto,
  AccountListDto,
  AccountQueryDto,
  CreateAccountDto,
  FundAccountDto,
  StatementDto,
  StatementQueryDto,
} from './dto/account.dto';
import { FundResultDto } from './dto/transfer.dto';
import { checkIdempotencyKey } from './idempotency-key';
import { LedgerAccountsService } from './ledger-accounts.service';
import { accountView } from './ledger-views';

/** Operators open and fund ledger accounts and read their balances and statements. */
@ApiTags('ledger')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('ledger/accounts')
export class LedgerAccountsController {
  constructor(private readonly accounts: LedgerAccountsService) {}

  @Post()
  @RequireScopes('ledger:admin')
  @ApiOperation({
    summary: 'Open an account; program_funding accounts refuse debits beyond credits unless told otherwise',
  })
  @ApiCreatedResponse({ type: AccountDto })
  async create(@Body() dto: CreateAccountDto, @Ctx() ctx: RequestContext): Promise<AccountDto> {
    return accountView(await this.accounts.create(ctx, dto));
  }

  @Get()
  @RequireScopes('ledger:read')
  @ApiOperation({ summary: "The tenant's accounts with balances, ordered by code" })
  @ApiOkResponse({ type: AccountListDto })
  async list(@Query() q: AccountQueryDto, @CurrentPrincipal() p: Principal): Promise<AccountListDto> {
    const items = await this.accounts.list(
      p.tenantId,
      { currency: q.currency, kind: q.kind },
      q.limit,
      q.offset,
    );
    return { items: items.map(accountView), limit: q.limit, offset: q.offset };
  }

  @Get(':id')
  @RequireScopes('ledger:read')
  @ApiOkResponse({ type: AccountDto })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal): Promise<AccountDto> {
    return accountView(await this.accounts.get(p.tenantId, id));
  }

  @Post(':id/fund')
  @RequireScopes('ledger:admin')
  @ApiOperation({ summary: "Fund the account from the tenant's treasury (external account) in its currency" })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A replay answers the stored response',
  })
  @ApiCreatedResponse({ type: FundResultDto, description: 'Funded' })
  @ApiOkResponse({
    type: FundResultDto,
    description: 'The transferId was already used with identical fields',
  })
  async fund(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: FundAccountDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') key?: string,
  ): Promise<FundResultDto> {
    const result = await this.accounts.fund(ctx, id, dto, checkIdempotencyKey(key));
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get(':id/statement')
  @RequireScopes('ledger:read')
  @ApiOperation({ summary: 'Transfers touching the account, oldest first, keyset-paginated' })
  @ApiOkResponse({ type: StatementDto })
  statement(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: StatementQueryDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<StatementDto> {
    return this.accounts.statement(p.tenantId, id, q.limit, q.after);
  }
}
