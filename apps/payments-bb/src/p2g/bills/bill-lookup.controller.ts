import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, CurrentPrincipal, ErrorCode, Principal, RequireScopes } from '@app/platform';
import { BillLookupRepository } from './bill-lookup.repository';

@ApiTags('p2g: operators')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('billers:read')
@Controller('p2g/bills')
export class BillLookupController {
  constructor(private readonly bills: BillLookupRepository) {}

  @Get(':billId')
  @ApiOperation({ summary: "A bill as the server saw it: its running state, every payment with its advice, the latest inquiries" })
  async find(@Param('billId') billId: string, @CurrentPrincipal() p: Principal) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(billId)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Not a bill ID');
    const found = await this.bills.find(p.tenantId, billId);
    if (!found.bill && !found.payments.length && !found.inquiries.length)
      throw new AppException(ErrorCode.NOT_FOUND, `Nothing is recorded about bill ${billId}`);
    return found;
  }
}
