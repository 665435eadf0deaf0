import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppException, CurrentPrincipal, ErrorCode, Principal, RequireScopes } from '@app/platform';
import { AuditQueryDto } from './audit-query.dto';
import { AuditQueryRepository } from './audit-query.repository';

/** Audit review (spec 6.12): who did what to which object, when; the entries carry IDs and digests, never personal data. */
@ApiTags('audit')
@ApiSecurity('api-key')
@ApiBearerAuth()
@RequireScopes('audit:read')
@Controller('audit')
export class AuditController {
  constructor(private readonly repo: AuditQueryRepository) {}

  @Get()
  @ApiOperation({ summary: "Search the caller tenant's audit trail by actor, object, action and time, newest first" })
  search(@Query() q: AuditQueryDto, @CurrentPrincipal() p: Principal) {
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from >= to) throw new AppException(ErrorCode.VALIDATION_FAILED, 'from must be before to');
    const limit = Math.min(Number(q.limit ?? 100), 500);
    return this.repo.search({ ...q, tenantId: p.tenantId, from, to, limit });
  }
}
