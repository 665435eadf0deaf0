import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeaders,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import {
  PrepaymentValidationQueryDto,
  PrepaymentValidationRequestDto,
  PrepaymentValidationResponseDto,
} from './prepayment.dto';
import { PrepaymentValidationService } from './prepayment.service';

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

@ApiTags('bulk disbursement (GovStack v1)')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('prepayment-validation')
export class PrepaymentValidationController {
  constructor(private readonly service: PrepaymentValidationService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('bulk:submit')
  @ApiOperation({
    summary: 'Pre-payment validation of a batch (api-v1 Prepaymentvalidation.yaml, spec 9.1.2)',
    description:
      'Checks every credit instruction (field rules, duplicate InstructionID, payee registered and payable in the account mapper) and ' +
      'asks the program\'s payer FSP to validate the accounts per payee FSP (Bulk_ValidateAccount). Nothing is paid or reserved. ' +
      'ResponseCode 00: the check ran completely, failed instructions are listed. ResponseCode 01: the payer FSP could not be asked ' +
      'about every account; the failures found so far are listed and the same RequestID may be retried. A complete answer is stored: ' +
      'the same RequestID with the same body returns it again, and it can be read back with GET.',
  })
  @ApiHeaders([
    { name: 'X-Program-Id', required: false, description: 'Program to validate against; optional when the source BB has one program in the currency' },
    { name: 'X-Callback-URL', required: false, description: 'Where the complete answer is also sent (must lie under the source BB\'s callback bases)' },
  ])
  @ApiOkResponse({ type: PrepaymentValidationResponseDto })
  @ApiBadRequestResponse({ description: 'ResponseCode 01: missing/invalid top-level fields, empty or too many CreditInstructions, unknown SourceBBID, no usable program, callback URL not allowed' })
  @ApiConflictResponse({ description: 'ResponseCode 01: the RequestID was already used with a different body' })
  validate(
    @Body() dto: PrepaymentValidationRequestDto,
    @Ctx() ctx: RequestContext,
    @Headers('x-program-id') programId?: string,
    @Headers('x-callback-url') callbackUrl?: string,
  ): Promise<PrepaymentValidationResponseDto> {
    return this.service.validate(ctx, dto, { programId: blankToUndefined(programId), callbackUrl: blankToUndefined(callbackUrl) });
  }

  @Get(':RequestID')
  @RequireScopes('bulk:read')
  @ApiOperation({ summary: 'The stored (complete) answer to a pre-payment validation request' })
  @ApiOkResponse({ type: PrepaymentValidationResponseDto })
  @ApiNotFoundResponse({ description: 'No complete answer is stored for this RequestID and source BB' })
  get(
    @Param('RequestID') requestId: string,
    @Query() q: PrepaymentValidationQueryDto,
    @Ctx() ctx: RequestContext,
  ): Promise<PrepaymentValidationResponseDto> {
    return this.service.get(ctx, requestId, q.SourceBBID);
  }
}
