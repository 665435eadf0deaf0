import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { actorOf, Ctx, CurrentPrincipal, Principal, RequestContext, RequireScopes } from '@app/platform';
import { operatorView } from './operator';
import { CreateOperatorDto, UpdateOperatorDto } from './operators.dto';
import { OperatorsService } from './operators.service';

/** Admins manage the console's operator accounts of their tenant. */
@ApiTags('console')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('operators:admin')
@Controller('console/api/operators')
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal) {
    return { operators: (await this.operators.list(p.tenantId)).map(operatorView) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an operator account with a role (viewer, maker, checker, admin)' })
  async create(@Body() dto: CreateOperatorDto, @Ctx() ctx: RequestContext) {
    const o = await this.operators.create({ ...dto, tenantId: ctx.principal.tenantId }, actorOf(ctx.principal), ctx.correlationId);
    return operatorView(o);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change an operator's name, role, status or password; rights changes end their sessions" })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateOperatorDto, @Ctx() ctx: RequestContext) {
    return operatorView(await this.operators.update(ctx, id, dto));
  }
}
