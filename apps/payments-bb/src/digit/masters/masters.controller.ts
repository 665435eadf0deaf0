import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '@app/platform';
import { DigitErrors } from '../envelope/digit-exception';
import { envelope, list, objects, tenantParam } from '../envelope/read';
import { responseInfo } from '../envelope/response-info';
import { rupees } from '../money';
import { ensureTenants } from '../tenants';
import { DigitAuthService } from '../users/digit-auth.service';
import { readBusinessServices, readTaxHeads } from './masters-input';
import { BusinessService, MastersRepository } from './masters.repository';

const ANY_ROLE = ['CITIZEN', 'EMPLOYEE', 'SUPERUSER', 'COLL_OPERATOR'];

export const bsView = (b: BusinessService) => ({
  tenantId: b.tenantId,
  businessService: b.businessService,
  code: b.code,
  collectionModesNotAllowed: b.collectionModesNotAllowed,
  partPaymentAllowed: b.partPaymentAllowed,
  minAmountPayable: rupees(b.minAmountPayable, b.currency),
  isAdvanceAllowed: b.advanceAllowed,
  demandUpdateTime: b.demandUpdateTime,
  billExpiryDays: b.billExpiryDays,
  currency: b.currency,
});

/**
 * The billing masters DIGIT keeps in MDMS, managed here by API (SUPERUSER) in the envelope of billing-service:
 * business services (part payment, advance, minimum payable, collection modes not allowed) and tax heads (code,
 * category, order). The same JSON as MDMS's BillingService.BusinessService can be posted as is.
 */
@ApiTags('DIGIT billing')
@Controller('billing-service')
export class MastersController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly masters: MastersRepository,
    private readonly auth: DigitAuthService,
  ) {}

  @Public()
  @Post('businessservices/_create')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create or update business services (SUPERUSER)' })
  @ApiBody({ schema: { type: 'object' } })
  async createBusinessServices(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.BusinessServiceDetails ?? body.BusinessService, 'BusinessServiceDetails');
    const errors = new DigitErrors();
    const parsed = readBusinessServices(items, errors);
    errors.throwIfAny();
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      await this.auth.authorize(req, requestInfo, t, ['SUPERUSER']);
    await this.ds.transaction(async (m) => {
      await ensureTenants(
        m,
        parsed.map((p) => p.tenantId),
      );
      await this.masters.upsertBusinessServices(m, parsed);
    });
    return { ResponseInfo: responseInfo(requestInfo), BusinessServiceDetails: parsed.map(bsView) };
  }

  @Public()
  @Post('businessservices/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchBusinessServices(
    @Req() req: Request,
    @Body() raw: unknown,
    @Query() q: Record<string, unknown>,
  ) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, ANY_ROLE);
    const found = await this.masters.businessServices(tenantId, list(q.businessServices ?? q.code));
    return { ResponseInfo: responseInfo(requestInfo), BusinessServiceDetails: found.map(bsView) };
  }

  @Public()
  @Post('taxheads/_create')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create or update tax heads (SUPERUSER)' })
  @ApiBody({ schema: { type: 'object' } })
  async createTaxHeads(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const items = objects(body.TaxHeadMasters ?? body.TaxHeadMaster, 'TaxHeadMasters', 500);
    const errors = new DigitErrors();
    const parsed = readTaxHeads(items, errors);
    errors.throwIfAny();
    for (const t of new Set(parsed.map((p) => p.tenantId)))
      await this.auth.authorize(req, requestInfo, t, ['SUPERUSER']);
    await this.ds.transaction((m) => this.masters.upsertTaxHeads(m, parsed));
    return { ResponseInfo: responseInfo(requestInfo), TaxHeadMasters: parsed };
  }

  @Public()
  @Post('taxheads/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchTaxHeads(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, ANY_ROLE);
    const service = typeof q.service === 'string' ? q.service : undefined;
    return {
      ResponseInfo: responseInfo(requestInfo),
      TaxHeadMasters: await this.masters.taxHeads(tenantId, service),
    };
  }
}
