import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@app/platform';
import { demandView } from '../demands/demand-view';
import { DemandsService } from '../demands/demands.service';
import { digitError } from '../envelope/digit-exception';
import { envelope, list, object, tenantParam } from '../envelope/read';
import { responseInfo } from '../envelope/response-info';
import { DigitAuthService } from '../users/digit-auth.service';
import { billView } from './bill-view';
import { BillsService } from './bills.service';

const STAFF = ['EMPLOYEE', 'SUPERUSER'];
const READERS = ['CITIZEN', 'EMPLOYEE', 'SUPERUSER', 'COLL_OPERATOR'];

const one = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** billing-service: demands and bills, in DIGIT's envelope (RequestInfo in, ResponseInfo out). */
@ApiTags('DIGIT billing')
@Controller('billing-service')
export class BillingController {
  constructor(
    private readonly demands: DemandsService,
    private readonly bills: BillsService,
    private readonly auth: DigitAuthService,
  ) {}

  @Public()
  @Post('demand/_create')
  @HttpCode(201)
  @ApiBody({ schema: { type: 'object' } })
  async createDemands(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    let user;
    for (const t of this.demands.tenantsOf(body))
      user = await this.auth.authorize(req, requestInfo, tenantParam(t), STAFF);
    const created = await this.demands.create(body, user!);
    return { ResponseInfo: responseInfo(requestInfo), Demands: created.map((d) => demandView(d)) };
  }

  @Public()
  @Post('demand/_update')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async updateDemands(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    for (const t of this.demands.tenantsOf(body))
      await this.auth.authorize(req, requestInfo, tenantParam(t), STAFF);
    const updated = await this.demands.update(body);
    return { ResponseInfo: responseInfo(requestInfo), Demands: updated.map((d) => demandView(d)) };
  }

  @Public()
  @Post('demand/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchDemands(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, READERS);
    const consumerCodes = list(q.consumerCode);
    const demandIds = list(q.demandId);
    const mobileNumber = one(q.mobileNumber);
    if (!consumerCodes && !demandIds && !mobileNumber)
      throw digitError(
        'DEMAND_SEARCH_MANDATORY_FIELDS_MISSING',
        'Give consumerCode, demandId or mobileNumber',
      );
    const found = await this.demands.search({
      tenantId,
      businessService: one(q.businessService),
      consumerCodes,
      demandIds,
      mobileNumber,
      status: one(q.status),
    });
    return { ResponseInfo: responseInfo(requestInfo), Demands: found.map((d) => demandView(d)) };
  }

  @Public()
  @Post('bill/v2/_fetchbill')
  @HttpCode(201)
  @ApiOperation({ summary: "The consumer's current unexpired bill, or a new one from its open demands" })
  @ApiBody({ schema: { type: 'object' } })
  async fetchBill(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, READERS);
    const mobileNumber = one(q.mobileNumber);
    if (mobileNumber && !/^[0-9]{10}$/.test(mobileNumber))
      throw digitError('INVALID_MOBILE_NUMBER', 'mobileNumber must be 10 digits');
    const found = await this.bills.fetch({
      tenantId,
      businessService: one(q.businessService),
      consumerCodes: list(q.consumerCode),
      mobileNumber,
      demandIds: list(q.demandId),
    });
    return { ResponseInfo: responseInfo(requestInfo), Bill: found.map((b) => billView(b)) };
  }

  @Public()
  @Post('bill/v2/_search')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async searchBills(@Req() req: Request, @Body() raw: unknown, @Query() q: Record<string, unknown>) {
    const { requestInfo } = envelope(raw);
    const tenantId = tenantParam(q.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, READERS);
    const found = await this.bills.search({
      tenantId,
      billIds: list(q.billId),
      billNumbers: list(q.billNumber),
      consumerCodes: list(q.consumerCode),
      service: one(q.service) ?? one(q.businessService),
      mobileNumber: one(q.mobileNumber),
      status: one(q.status),
    });
    return { ResponseInfo: responseInfo(requestInfo), Bill: found.map((b) => billView(b)) };
  }

  @Public()
  @Post('bill/v2/_cancelbill')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object' } })
  async cancelBill(@Req() req: Request, @Body() raw: unknown) {
    const { body, requestInfo } = envelope(raw);
    const c = object(body.UpdateBillCriteria, 'UpdateBillCriteria');
    const tenantId = tenantParam(c.tenantId);
    await this.auth.authorize(req, requestInfo, tenantId, STAFF);
    const codes = Array.isArray(c.consumerCodes) ? c.consumerCodes.map(String) : [];
    if (codes.length !== 1) throw digitError('EG_BS_CANCEL_BILL_ERROR', 'Give exactly one consumer code');
    if (typeof c.businessService !== 'string')
      throw digitError('EG_BS_CANCEL_BILL_ERROR', 'businessService is required');
    const cancelled = await this.bills.cancel(tenantId, c.businessService, codes[0], c.additionalDetails);
    return { ResponseInfo: responseInfo(requestInfo), Bill: cancelled.map((b) => billView(b)) };
  }
}
