import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatAmount } from '@app/ledger/money';
import { actorOf, AppException, Ctx, ErrorCode, hasScope, RequestContext, RequireScopes } from '@app/platform';
import { ParticipantsService } from '../participants/participants.service';
import {
  CreateVoucherGroupDto,
  MerchantDto,
  PartnerKeyDto,
  ProvisionDto,
  UpdateVoucherGroupDto,
} from './admin.dto';
import { formatSerial, parseSerial, VoucherGroup } from './domain/voucher';
import { VoucherGroupsService } from './groups/voucher-groups.service';
import { PartnerKeysService } from './keys/partner-keys.service';
import { VoucherIssuanceService } from './lifecycle/voucher-issuance.service';
import { VoucherProvisioningService } from './lifecycle/voucher-provisioning.service';
import { MerchantsRepository } from './merchants/merchants.repository';
import { merchantView, MerchantsService } from './merchants/merchants.service';

const groupView = (g: VoucherGroup) => ({
  code: g.code,
  name: g.name,
  currency: g.currency,
  programCode: g.programCode,
  denominations: g.denominations.map((d) => formatAmount(d, g.currency)),
  validityDays: g.validityDays,
  expiresOn: g.expiresOn?.toISOString() ?? null,
  merchantGroups: g.merchantGroups,
  lowStockThreshold: g.lowStockThreshold,
  status: g.status,
  liabilityAccountId: g.liabilityAccountId,
  createdAt: g.createdAt.toISOString(),
  updatedAt: g.updatedAt.toISOString(),
});

const page = (limit?: string, offset?: string) => ({
  limit: Math.min(Math.max(Number(limit) || 100, 1), 1000),
  offset: Math.max(Number(offset) || 0, 0),
});

/** Operators: voucher groups, provisioning and stock, merchants, voucher holds, and the keys for encrypted files. */
@ApiTags('vouchers (operators)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller()
export class VoucherAdminController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly groups: VoucherGroupsService,
    private readonly provisioning: VoucherProvisioningService,
    private readonly issuance: VoucherIssuanceService,
    private readonly merchants: MerchantsService,
    private readonly merchantsRepo: MerchantsRepository,
    private readonly participants: ParticipantsService,
    private readonly keys: PartnerKeysService,
  ) {}

  @Post('voucher-groups')
  @RequireScopes('vouchers:admin')
  @ApiOperation({ summary: 'Create a voucher group backed by a program' })
  async createGroup(@Body() dto: CreateVoucherGroupDto, @Ctx() ctx: RequestContext) {
    return groupView(await this.groups.create(ctx, dto));
  }

  @Get('voucher-groups')
  @RequireScopes('vouchers:read')
  async listGroups(
    @Ctx() ctx: RequestContext,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    const p = page(limit, offset);
    return (await this.groups.list(ctx.principal.tenantId, p.limit, p.offset)).map(groupView);
  }

  @Get('voucher-groups/:code')
  @RequireScopes('vouchers:read')
  async getGroup(@Param('code') code: string, @Ctx() ctx: RequestContext) {
    return groupView(await this.groups.get(ctx.principal.tenantId, code));
  }

  @Patch('voucher-groups/:code')
  @RequireScopes('vouchers:admin')
  async updateGroup(
    @Param('code') code: string,
    @Body() dto: UpdateVoucherGroupDto,
    @Ctx() ctx: RequestContext,
  ) {
    return groupView(await this.groups.update(ctx, code, dto));
  }

  @Post('voucher-groups/:code/provisions')
  @RequireScopes('vouchers:admin')
  @ApiOperation({
    summary:
      'Generate vouchers into stock after the budget check (the total moves from the program to the liability account)',
  })
  provision(
    @Param('code') code: string,
    @Body() dto: ProvisionDto,
    @Ctx() ctx: RequestContext,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.provisioning.provision(ctx, code, dto, key);
  }

  @Get('voucher-groups/:code/stock')
  @RequireScopes('vouchers:read')
  @ApiOperation({ summary: 'Stock by denomination and state, with the low-stock signal' })
  stock(@Param('code') code: string, @Ctx() ctx: RequestContext) {
    return this.groups.stock(ctx.principal.tenantId, code);
  }

  @Post('vouchers/:serialNumber/:action')
  @HttpCode(200)
  @RequireScopes('vouchers:issue')
  @ApiOperation({ summary: 'Suspend, unsuspend, block or cancel a voucher (its holder, or an operator); a cancelled voucher\'s value goes back to the program' })
  async hold(
    @Param('serialNumber') raw: string,
    @Param('action') action: string,
    @Ctx() ctx: RequestContext,
  ) {
    if (action !== 'suspend' && action !== 'unsuspend' && action !== 'block' && action !== 'cancel')
      throw new AppException(ErrorCode.NOT_FOUND, 'The action must be suspend, unsuspend, block or cancel');
    const serial = parseSerial(raw);
    if (serial === undefined)
      throw new AppException(ErrorCode.VOUCHER_INVALID_SERIAL, 'Invalid voucher serial number');
    const holder = hasScope(ctx.principal, 'vouchers:admin') ? null : ctx.principal.participantId;
    const [tenantId, actor] = [ctx.principal.tenantId, actorOf(ctx.principal)];
    if (action === 'cancel') {
      const [o] = await this.issuance.cancel(tenantId, holder, [serial], actor, ctx.correlationId);
      if (o.failure) throw new AppException(o.failure.code, o.failure.reason);
      return { serialNumber: formatSerial(serial), state: 'cancelled' };
    }
    const v = await this.issuance.setState(tenantId, holder, serial, action, actor, ctx.correlationId);
    return { serialNumber: formatSerial(v.serial), state: v.state };
  }

  @Put('merchants/:code')
  @RequireScopes('vouchers:admin')
  @ApiOperation({ summary: 'Register or update a merchant or agent' })
  async putMerchant(@Param('code') code: string, @Body() dto: MerchantDto, @Ctx() ctx: RequestContext) {
    if (dto.code !== code)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'code in the body differs from the one in the path',
      );
    const participantId = dto.participantCode
      ? (
          await this.participants.findActive(ctx.principal.tenantId, dto.participantCode, [
            'merchant_gateway',
          ])
        )?.id
      : null;
    if (participantId === undefined)
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `participantCode '${dto.participantCode}' is not an active merchant gateway`,
      );
    const { merchant } = await this.ds.transaction((m) =>
      this.merchants.upsert(
        m,
        ctx.principal.tenantId,
        { ...dto, participantId },
        actorOf(ctx.principal),
        ctx.correlationId,
      ),
    );
    return merchantView(merchant, dto.financialAddress);
  }

  @Get('merchants')
  @RequireScopes('vouchers:read')
  async listMerchants(
    @Ctx() ctx: RequestContext,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    const p = page(limit, offset);
    return (await this.merchantsRepo.list(ctx.principal.tenantId, p.limit, p.offset)).map((m) =>
      merchantView(m, this.merchants.address(m)),
    );
  }

  @Get('merchants/:code')
  @RequireScopes('vouchers:read')
  async getMerchant(@Param('code') code: string, @Ctx() ctx: RequestContext) {
    const m = await this.merchants.get(ctx.principal.tenantId, code);
    return merchantView(m, this.merchants.address(m));
  }

  @Post('merchants/:code/:status')
  @HttpCode(200)
  @RequireScopes('vouchers:admin')
  async merchantStatus(
    @Param('code') code: string,
    @Param('status') status: string,
    @Ctx() ctx: RequestContext,
  ) {
    if (status !== 'suspend' && status !== 'activate')
      throw new AppException(ErrorCode.NOT_FOUND, 'Use suspend or activate');
    const m = await this.merchants.setStatus(
      ctx.principal.tenantId,
      code,
      status === 'suspend' ? 'suspended' : 'active',
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return merchantView(m, this.merchants.address(m));
  }

  @Get('voucher-keys/server')
  @RequireScopes('vouchers:read')
  @ApiOperation({ summary: "This server's public key (JWK) to encrypt voucher files to" })
  serverKey() {
    return this.keys.serverPublicJwk();
  }

  @Put('voucher-keys/:participantCode')
  @RequireScopes('vouchers:admin')
  @ApiOperation({
    summary:
      "Register a building block's public key: voucher numbers and encrypted answers to it are encrypted with it",
  })
  async putKey(
    @Param('participantCode') code: string,
    @Body() dto: PartnerKeyDto,
    @Ctx() ctx: RequestContext,
  ) {
    const p = await this.participants.findActive(ctx.principal.tenantId, code, [
      'source_bb',
      'registration_bb',
      'information_mediator',
      'merchant_gateway',
    ]);
    if (!p) throw new AppException(ErrorCode.NOT_FOUND, `No active building block '${code}'`);
    return this.keys.register(
      ctx.principal.tenantId,
      p.id,
      dto.jwk,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
  }
}
