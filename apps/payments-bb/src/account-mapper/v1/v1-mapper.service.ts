import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, AppConfig, AppException, digestOf, ErrorCode, IdempotencyService, RequestContext } from '@app/platform';
import { BeneficiaryRegistryService } from '../beneficiary-registry.service';
import { parseBeneficiaries } from '../domain/beneficiary-input';
import { MapperOutcome } from '../domain/failed-case';
import { V1BeneficiariesRequestDto, V1ResponseDto } from '../dto/v1.dto';
import { SourceBbResolver } from '../source-bb.resolver';
import { V1_BENEFICIARY } from './v1-item-schemas';

type Operation = 'register' | 'update';

/**
 * GovStack v1 (the contract the compliance tests use): processed synchronously, answered with
 * ResponseCode 00 and, as an extension, the failed cases. A repeated RequestID (or Idempotency-Key)
 * with the same body returns the first answer; with another body it is refused.
 */
@Injectable()
export class V1MapperService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly registry: BeneficiaryRegistryService,
    private readonly sources: SourceBbResolver,
    private readonly idempotency: IdempotencyService,
  ) {}

  async handle(op: Operation, ctx: RequestContext, dto: V1BeneficiariesRequestDto, idempotencyKey?: string): Promise<V1ResponseDto> {
    const max = this.config.env.MAPPER_MAX_BENEFICIARIES;
    if (dto.Beneficiaries.length === 0) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Beneficiaries must not be empty');
    if (dto.Beneficiaries.length > max)
      throw new AppException(ErrorCode.TOO_MANY_ITEMS, `At most ${max} beneficiaries per request`);
    const items = parseBeneficiaries(dto.Beneficiaries, V1_BENEFICIARY, 'Beneficiaries');
    const source = await this.sources.resolve(ctx.principal, dto.SourceBBID);
    const claim = {
      tenantId: ctx.principal.tenantId,
      scope: `mapper.v1.${op}:${source.id}`,
      key: idempotencyKey ? `key:${idempotencyKey}` : `request:${dto.RequestID}`,
      requestHash: digestOf(dto),
    };
    const result = await this.ds.transaction(async (m) =>
      this.idempotency.execute(m, claim, async () => {
        const scope = {
          tenantId: ctx.principal.tenantId,
          sourceBbId: source.id,
          requestId: dto.RequestID,
          actor: actorOf(ctx.principal),
          correlationId: ctx.correlationId,
        };
        const outcome = op === 'register' ? await this.registry.register(m, scope, items) : await this.registry.update(m, scope, items);
        return { status: 200, body: this.response(op, dto.RequestID, outcome) };
      }),
    );
    return result.body;
  }

  private response(op: Operation, requestId: string, outcome: MapperOutcome): V1ResponseDto {
    const verb = op === 'register' ? 'registered' : 'updated';
    const failed = outcome.failedCases.length;
    return {
      ResponseCode: '00',
      ResponseDescription: `Request successfully received by Pay-BB: ${outcome.applied} ${verb}, ${failed} failed`,
      RequestID: requestId,
      ...(failed
        ? {
            FailedCases: outcome.failedCases.map((f) => ({
              PayeeFunctionalID: f.functionalId,
              ...(f.modality ? { PaymentModality: f.modality } : {}),
              ...(f.institutionCode ? { BankingInstitutionCode: f.institutionCode } : {}),
              FailureReason: f.reason,
            })),
          }
        : {}),
    };
  }
}
