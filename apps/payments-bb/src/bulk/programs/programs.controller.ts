import { Body, Controller, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext, RequireScopes } from '@app/platform';
import { CreateProgramDto, PutFspConnectorDto, UpdateProgramDto } from './programs.dto';
import { FspConnectorConfig, Program } from './program';
import { ProgramsService } from './programs.service';

@ApiTags('bulk disbursement: programs and payer FSPs')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('programs:admin')
@Controller()
export class ProgramsController {
  constructor(private readonly programs: ProgramsService) {}

  @Post('programs')
  @ApiOperation({ summary: 'Create a program: its funding account, payer FSP, approval rule and sub-batch sizing' })
  create(@Body() dto: CreateProgramDto, @Ctx() ctx: RequestContext): Promise<Program> {
    return this.programs.create(ctx, dto);
  }

  @Get('programs')
  @RequireScopes('programs:read')
  list(@Ctx() ctx: RequestContext): Promise<Program[]> {
    return this.programs.list(ctx.principal.tenantId);
  }

  @Get('programs/:code')
  @RequireScopes('programs:read')
  get(@Param('code') code: string, @Ctx() ctx: RequestContext): Promise<Program> {
    return this.programs.get(ctx.principal.tenantId, code);
  }

  @Patch('programs/:code')
  update(@Param('code') code: string, @Body() dto: UpdateProgramDto, @Ctx() ctx: RequestContext): Promise<Program> {
    return this.programs.update(ctx, code, dto);
  }

  @Put('fsp-connectors/:fspCode')
  @ApiOperation({ summary: "Set where a payer FSP's connector listens (docs/fsp-connector.md)" })
  putConnector(@Param('fspCode') fspCode: string, @Body() dto: PutFspConnectorDto, @Ctx() ctx: RequestContext): Promise<FspConnectorConfig> {
    return this.programs.putConnector(ctx, fspCode, dto);
  }

  @Get('fsp-connectors')
  @RequireScopes('programs:read')
  connectors(@Ctx() ctx: RequestContext): Promise<FspConnectorConfig[]> {
    return this.programs.connectors(ctx.principal.tenantId);
  }
}
