import { Body, Controller, Headers, HttpCode, ParseArrayPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { BbpsService } from './bbps.service';
import { BbpsReceiptRequestDto, BillIdentifierDto } from './bbps.dto';

const IDENTIFIERS = new ParseArrayPipe({
  items: BillIdentifierDto,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (message: string) =>
    new AppException(
      ErrorCode.VALIDATION_FAILED,
      `The body must be an array of {identifierKey, identifierValue}: ${message}`,
    ),
});

@ApiTags('P2G BBPS biller face')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('bbps/bills')
export class BbpsController {
  constructor(private readonly bbps: BbpsService) {}

  @Post('fetchBills')
  @HttpCode(200)
  @RequireScopes('p2g:pay')
  @ApiOperation({ summary: "BBPS Generate Bill: a customer's outstanding bills, from identifiers" })
  @ApiHeader({
    name: 'X-Biller-Id',
    required: false,
    description: 'The biller, when no billId identifier is given',
  })
  @ApiBody({ type: [BillIdentifierDto] })
  fetchBills(
    @Ctx() ctx: RequestContext,
    @Body(IDENTIFIERS)
    identifiers: BillIdentifierDto[],
    @Headers('x-biller-id') billerId?: string,
    @Headers('x-payerfi-id') payerFi?: string,
  ) {
    if (identifiers.length < 1 || identifiers.length > 10)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'Give 1 to 10 bill identifiers');
    return this.bbps.fetchBills(ctx, identifiers, billerId, payerFi);
  }

  @Post('fetchReceipt')
  @HttpCode(200)
  @RequireScopes('p2g:pay')
  @ApiOperation({ summary: 'BBPS Acknowledge Bill Payment: record the payment, answer with the receipt' })
  fetchReceipt(
    @Ctx() ctx: RequestContext,
    @Body() dto: BbpsReceiptRequestDto,
    @Headers('x-payerfi-id') payerFi?: string,
  ) {
    return this.bbps.fetchReceipt(ctx, dto, payerFi);
  }
}
