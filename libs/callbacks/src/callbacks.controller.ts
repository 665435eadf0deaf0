import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf, Ctx, CurrentPrincipal, hasScope, Principal, RequestContext, RequireScopes } from '@app/platform';
import { CallbacksService } from './callbacks.service';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import {
  DeliveryDetailView,
  DeliveryListView,
  DeliveryView,
  toDeliveryView,
  toDetailView,
} from './dto/delivery.view';

/**
 * A body may carry personal data (a request to pay names the payer's address): it is shown to whoever may re-send
 * deliveries (callbacks:admin), while a reader (a console viewer) sees status, attempts and errors only.
 */
function bodyFor<V extends { payload: unknown }>(principal: Principal, view: V): V {
  return hasScope(principal, 'callbacks:admin') ? view : { ...view, payload: null };
}

/** Operator view of outbound callbacks, scoped to the caller's tenant. */
@ApiTags('callbacks')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('callbacks/deliveries')
export class CallbacksController {
  constructor(private readonly callbacks: CallbacksService) {}

  @Get()
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'List callback deliveries, newest first' })
  @ApiOkResponse({ type: DeliveryListView })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() q: ListDeliveriesQuery,
  ): Promise<DeliveryListView> {
    const items = await this.callbacks.list(principal.tenantId, q);
    return { items: items.map((d) => bodyFor(principal, toDeliveryView(d))), limit: q.limit, offset: q.offset };
  }

  @Get(':id')
  @RequireScopes('callbacks:read')
  @ApiOperation({ summary: 'One callback delivery with every attempt made' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DeliveryDetailView })
  @ApiNotFoundResponse({ description: 'No such delivery in the caller’s tenant' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<DeliveryDetailView> {
    const { attemptHistory, ...delivery } = await this.callbacks.get(principal.tenantId, id);
    return bodyFor(principal, toDetailView(delivery, attemptHistory));
  }

  @Post(':id/resend')
  @HttpCode(200)
  @RequireScopes('callbacks:admin')
  @ApiOperation({ summary: 'Send a failed or delivered callback again, with a fresh budget of attempts' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DeliveryView })
  @ApiNotFoundResponse({ description: 'No such delivery in the caller’s tenant' })
  @ApiConflictResponse({ description: 'The delivery is still pending or being delivered' })
  async resend(@Ctx() ctx: RequestContext, @Param('id', new ParseUUIDPipe()) id: string): Promise<DeliveryView> {
    const by = { actor: actorOf(ctx.principal), correlationId: ctx.correlationId };
    return toDeliveryView(await this.callbacks.resend(ctx.principal.tenantId, id, by));
  }
}
