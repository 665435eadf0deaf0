import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { toCsv } from '../reports/csv';
import { BillersService } from './billers.service';
import { DecisionDto, OnboardBillerDto, UpdateBillerDto } from './billers.dto';

@ApiTags('P2G biller registry')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('p2g/billers')
export class BillersController {
  constructor(private readonly billers: BillersService) {}

  @Post()
  @RequireScopes('billers:admin')
  @ApiOperation({
    summary:
      'Onboard a biller or aggregator: allocates its biller ID and bill-ID prefix and returns the credentials it calls the server with (once)',
  })
  onboard(@Ctx() ctx: RequestContext, @Body() dto: OnboardBillerDto) {
    return this.billers.onboard(ctx, dto);
  }

  @Get()
  @RequireScopes('billers:read')
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['pending_approval', 'active', 'suspended', 'rejected'],
  })
  list(@Ctx() ctx: RequestContext, @Query('status') status?: string) {
    return this.billers.list(ctx.principal.tenantId, status);
  }

  @Get('export')
  @RequireScopes('p2g:pay')
  @ApiOperation({
    summary: 'The biller list for payer FIs: active billers, prefixes, rules and settlement accounts',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async export(
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
    @Query('format') format?: string,
  ) {
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'format must be json or csv');
    const rows = await this.billers.exportForPayerFis(ctx.principal.tenantId);
    if (format !== 'csv') return { billers: rows };
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="billers.csv"');
    return toCsv(rows);
  }

  @Get(':billerId')
  @RequireScopes('billers:read')
  get(@Ctx() ctx: RequestContext, @Param('billerId') billerId: string) {
    return this.billers.get(ctx.principal.tenantId, billerId);
  }

  @Patch(':billerId')
  @RequireScopes('billers:admin')
  @ApiOperation({
    summary: "Change a biller's endpoint, credentials, currencies or rules, or suspend/reactivate it",
  })
  update(@Ctx() ctx: RequestContext, @Param('billerId') billerId: string, @Body() dto: UpdateBillerDto) {
    return this.billers.update(ctx, billerId, dto);
  }

  @Post(':billerId/approve')
  @RequireScopes('billers:approve')
  @ApiOperation({ summary: 'Checker: approve an onboarding (not the operator who made it)' })
  approve(@Ctx() ctx: RequestContext, @Param('billerId') billerId: string, @Body() dto: DecisionDto) {
    return this.billers.approve(ctx, billerId, dto.reason);
  }

  @Post(':billerId/reject')
  @RequireScopes('billers:approve')
  reject(@Ctx() ctx: RequestContext, @Param('billerId') billerId: string, @Body() dto: DecisionDto) {
    return this.billers.reject(ctx, billerId, dto.reason);
  }
}
