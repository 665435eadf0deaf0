import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { PayerFisService } from './payer-fis.service';
import { RegisterPayerFiDto, UpdatePayerFiDto } from './payer-fis.dto';

@ApiTags('P2G biller registry')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('p2g/payer-fis')
export class PayerFisController {
  constructor(private readonly payerFis: PayerFisService) {}

  @Post()
  @RequireScopes('billers:admin')
  @ApiOperation({
    summary: 'Link a payer FI for bill payment (creates its FSP client unless one with the code exists)',
  })
  register(@Ctx() ctx: RequestContext, @Body() dto: RegisterPayerFiDto) {
    return this.payerFis.register(ctx, dto);
  }

  @Get()
  @RequireScopes('billers:read')
  list(@Ctx() ctx: RequestContext) {
    return this.payerFis.list(ctx.principal.tenantId);
  }

  @Patch(':code')
  @RequireScopes('billers:admin')
  update(@Ctx() ctx: RequestContext, @Param('code') code: string, @Body() dto: UpdatePayerFiDto) {
    return this.payerFis.update(ctx, code, dto);
  }
}
