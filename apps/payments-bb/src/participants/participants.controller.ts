import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx, CurrentPrincipal, Principal, RequestContext, RequireScopes } from '@app/platform';
import { CreateParticipantDto, PageQueryDto, UpdateParticipantDto } from './dto/participant.dto';
import { ParticipantsService } from './participants.service';

/** Operators manage their tenant's API clients. Credentials are shown once, at creation or rotation. */
@ApiTags('participants')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('participants:admin')
@Controller('participants')
export class ParticipantsController {
  constructor(private readonly participants: ParticipantsService) {}

  @Post()
  @ApiOperation({ summary: 'Register an API client in the caller tenant; answers with its credentials, once' })
  create(@Body() dto: CreateParticipantDto, @Ctx() ctx: RequestContext) {
    return this.participants.create({ ...dto, tenantId: ctx.principal.tenantId }, ctx);
  }

  @Get()
  @RequireScopes('participants:read')
  list(@Query() q: PageQueryDto, @CurrentPrincipal() p: Principal) {
    return this.participants.list(p.tenantId, q.limit, q.offset);
  }

  @Get(':id')
  @RequireScopes('participants:read')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() p: Principal) {
    return this.participants.get(p.tenantId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Disable/enable a client, change its scopes or callback bases' })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateParticipantDto,
    @Ctx() ctx: RequestContext,
  ) {
    return this.participants.update(ctx.principal.tenantId, id, dto, ctx);
  }

  @Post(':id/rotate-credentials')
  @ApiOperation({ summary: 'Issue new secrets (client secret, API key, callback signing secret); old ones stop working' })
  rotate(@Param('id', ParseUUIDPipe) id: string, @Ctx() ctx: RequestContext) {
    return this.participants.rotateCredentials(ctx.principal.tenantId, id, ctx);
  }
}
