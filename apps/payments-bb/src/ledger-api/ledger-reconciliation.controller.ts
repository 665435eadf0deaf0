import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ReconciliationService } from '@app/ledger';
import { CurrentPrincipal, Principal, RequireScopes } from '@app/platform';
import { ReconciliationQueryDto, ReconciliationReportDto } from './dto/reconciliation.dto';
import { reportCsv, reportView } from './reconciliation-report';

@ApiTags('ledger')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('ledger/reconciliation')
export class LedgerReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @RequireScopes('ledger:read')
  @ApiOperation({
    summary: "Check the caller tenant's books",
    description:
      'Per currency the accounts sum to zero (posted and pending); every account’s balances equal its ' +
      'transfers; pending balances equal the open reservations. Lists every discrepancy. `format=csv` answers ' +
      'a CSV file: a header, one `currency` line per currency, one `discrepancy` line per discrepancy.',
  })
  @ApiExtraModels(ReconciliationReportDto)
  @ApiOkResponse({
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ReconciliationReportDto) } },
      'text/csv': {
        schema: { type: 'string', example: 'record,currency,accounts,posted_net,…\r\ncurrency,USD,3,0.00,…' },
      },
    },
  })
  async report(
    @Query() q: ReconciliationQueryDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReconciliationReportDto | string> {
    const view = reportView(await this.reconciliation.reconcile(p.tenantId));
    if (q.format === 'json') return view;
    const stamp = view.generatedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="ledger-reconciliation-${p.tenantId}-${stamp}.csv"`,
    );
    return reportCsv(view);
  }
}
