import { Injectable } from '@nestjs/common';
import { AppConfig, AppException, ErrorCode, RequestContext } from '@app/platform';
import { BeneficiaryRegistryService, ResolvedBeneficiary } from '../beneficiary-registry.service';
import { V3BulkLookupDto, V3LookupResponseDto, V3PaymentModalityEntry } from '../dto/v3.dto';
import { SourceBbResolver } from '../source-bb.resolver';

const entry = (b: ResolvedBeneficiary): V3PaymentModalityEntry => ({
  payeeIdentity: b.functionalId,
  paymentModality: b.modality,
  financialAddress: b.address,
  bankingInstitutionCode: b.institutionCode,
});

@Injectable()
export class LookupService {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: BeneficiaryRegistryService,
    private readonly sources: SourceBbResolver,
  ) {}

  async single(ctx: RequestContext, institution: string, requestId: string, functionalId: string): Promise<V3LookupResponseDto> {
    const source = await this.sources.resolve(ctx.principal, institution);
    const { found } = await this.registry.lookup(ctx.principal.tenantId, source.id, [functionalId]);
    if (!found.length) throw new AppException(ErrorCode.NOT_FOUND, 'payeeIdentity is not registered for this institution');
    return { requestId, paymentModalityList: found.map(entry) };
  }

  async bulk(ctx: RequestContext, institution: string, dto: V3BulkLookupDto): Promise<V3LookupResponseDto> {
    const max = this.config.env.MAPPER_MAX_BENEFICIARIES;
    if (dto.payeePartyIds.length > max) throw new AppException(ErrorCode.TOO_MANY_ITEMS, `At most ${max} IDs per lookup`);
    const source = await this.sources.resolve(ctx.principal, institution);
    const ids = [...new Set(dto.payeePartyIds)];
    const { found, missing } = await this.registry.lookup(ctx.principal.tenantId, source.id, ids);
    return { requestId: dto.requestId, paymentModalityList: found.map(entry), unresolvedPayeeIdentities: missing };
  }
}
