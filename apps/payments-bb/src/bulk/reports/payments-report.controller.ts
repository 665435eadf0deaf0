import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { AppException, CurrentPrincipal, ErrorCode, Principal, RequireScopes } from '@app/platform';
import { visibilityOf } from '../query/batch-views';
import { PaymentsReportRepository } from './payments-report.repository';

export class PaymentsReportQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601; default 30 days before `to`' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'ISO 8601, exclusive; default now' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,20}$/) programCode?: string;
}

const DAY = 86_400_000;

@ApiTags('bulk disbursement: operators')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('bulk:read')
@Controller('reports')
export class PaymentsReportController {
  constructor(private readonly reports: PaymentsReportRepository) {}

  @Get('payments')
  @ApiOperation({
    summary: 'Payments of the batches received in a period (at most 366 days): per programme and payer FSP, by outcome, with failure reasons and a daily series',
  })
  async payments(@Query() q: PaymentsReportQueryDto, @CurrentPrincipal() p: Principal) {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
    if (from >= to) throw new AppException(ErrorCode.VALIDATION_FAILED, 'from must be before to');
    if (to.getTime() - from.getTime() > 366 * DAY) throw new AppException(ErrorCode.VALIDATION_FAILED, 'A report covers at most 366 days');
    const vis = visibilityOf(p);
    if (!vis) throw new AppException(ErrorCode.FORBIDDEN, 'Only a registered source BB or an operator can see payment reports');
    return this.reports.build({ tenantId: p.tenantId, sourceBbId: vis.sourceBbId, from, to, programCode: q.programCode });
  }
}
