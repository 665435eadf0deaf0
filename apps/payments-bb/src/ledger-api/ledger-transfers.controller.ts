import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { TransferResult } from '@app/ledger';
import { Ctx, CurrentPrincipal, Principal, RequestContext, RequireScopes } from '@app/platform';
import {
  CreateTransferBatchDto,
  CreateTransferDto,
  PostPendingDto,
  TransferBatchResultDto,
  TransferDto,
  TransferResultDto,
  VoidPendingDto,
} from './dto/transfer.dto';
import { LedgerApiService } from './ledger-api.service';
import { resultView, transferView } from './ledger-views';

/** 201 when the transfer is new, 200 when its ID already existed with identical fields. */
function answer(res: Response, r: TransferResult): TransferResultDto {
  res.status(r.created ? 201 : 200);
  return resultView(r);
}

/** Programs move money between their accounts: posted now, or reserved and later posted or voided. */
@ApiTags('ledger')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('ledger/transfers')
export class LedgerTransfersController {
  constructor(private readonly transfers: LedgerApiService) {}

  @Post()
  @RequireScopes('ledger:write')
  @ApiOperation({ summary: 'One transfer, posted or pending; the id makes it idempotent' })
  @ApiCreatedResponse({ type: TransferResultDto, description: 'Created' })
  @ApiOkResponse({ type: TransferResultDto, description: 'Identical replay: nothing changed' })
  async create(
    @Body() dto: CreateTransferDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferResultDto> {
    return answer(res, await this.transfers.create(ctx, dto));
  }

  @Post('batch')
  @RequireScopes('ledger:write')
  @ApiOperation({ summary: 'Up to 10,000 transfers in one transaction, linked: all are written or none' })
  @ApiCreatedResponse({ type: TransferBatchResultDto, description: 'At least one transfer was new' })
  @ApiOkResponse({ type: TransferBatchResultDto, description: 'Every transfer was an identical replay' })
  async batch(
    @Body() dto: CreateTransferBatchDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferBatchResultDto> {
    const results = await this.transfers.createBatch(ctx, dto.transfers);
    const created = results.filter((r) => r.created).length;
    res.status(created ? 201 : 200);
    return { count: results.length, created, results: results.map(resultView) };
  }

  @Post(':pendingId/post')
  @RequireScopes('ledger:write')
  @ApiOperation({ summary: 'Post a reservation, in full or for a smaller amount' })
  @ApiCreatedResponse({ type: TransferResultDto })
  @ApiOkResponse({ type: TransferResultDto, description: 'Identical replay' })
  async post(
    @Param('pendingId', ParseUUIDPipe) pendingId: string,
    @Body() dto: PostPendingDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferResultDto> {
    return answer(res, await this.transfers.post(ctx, pendingId, dto));
  }

  @Post(':pendingId/void')
  @RequireScopes('ledger:write')
  @ApiOperation({ summary: 'Release a reservation' })
  @ApiCreatedResponse({ type: TransferResultDto })
  @ApiOkResponse({ type: TransferResultDto, description: 'Identical replay' })
  async void(
    @Param('pendingId', ParseUUIDPipe) pendingId: string,
    @Body() dto: VoidPendingDto,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferResultDto> {
    return answer(res, await this.transfers.void(ctx, pendingId, dto));
  }

  @Get(':id')
  @RequireScopes('ledger:read')
  @ApiOkResponse({ type: TransferDto })
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal): Promise<TransferDto> {
    return transferView(await this.transfers.get(p.tenantId, id));
  }
}
