import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import {
  actorOf,
  AppConfig,
  AppException,
  digestOf,
  ErrorCode,
  FieldCipher,
  IdempotencyService,
  RequestContext,
} from '@app/platform';
import { parseBeneficiaries } from '../domain/beneficiary-input';
import { V3AckDto, V3RegisterRequestDto, V3RequestStatusDto, V3UpdateRequestDto } from '../dto/v3.dto';
import { MAPPER_QUEUE, PROCESS_REQUEST_JOB, ProcessRequestJob } from '../mapper.constants';
import { MapperRequestsRepository } from '../mapper-requests.repository';
import { SourceBbResolver } from '../source-bb.resolver';
import { V3_REGISTER_BENEFICIARY, V3_UPDATE_BENEFICIARY } from './v3-item-schemas';

type Operation = 'register' | 'update';

export interface V3Envelope {
  operation: Operation;
  sourceCode: string | undefined;
  callbackUrl: string | undefined;
  idempotencyKey: string | undefined;
  dto: V3RegisterRequestDto | V3UpdateRequestDto;
}

/**
 * api-v3 register/update: the request is checked, stored sealed and acknowledged at once; a worker
 * applies it and sends the result (with the failed cases) to X-Callback-URL through the callbacks library.
 */
@Injectable()
export class V3MapperService {
  private readonly logger = new Logger(V3MapperService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(MAPPER_QUEUE) private readonly queue: Queue<ProcessRequestJob>,
    private readonly config: AppConfig,
    private readonly cipher: FieldCipher,
    private readonly requests: MapperRequestsRepository,
    private readonly sources: SourceBbResolver,
    private readonly callbacks: CallbacksService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async accept(ctx: RequestContext, env: V3Envelope): Promise<V3AckDto> {
    const { dto, operation } = env;
    const requestId = this.one(dto.RequestID, dto.requestID, 'RequestID');
    const list = this.one(dto.Beneficiaries, dto.beneficiaries, 'Beneficiaries');
    const sourceCode =
      operation === 'update'
        ? this.one((dto as V3UpdateRequestDto).sourceBBID, (dto as V3UpdateRequestDto).SourceBBID, 'sourceBBID')
        : env.sourceCode;
    if (!sourceCode) throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Registering-Institution-ID header is required');
    if (operation === 'register' && !env.callbackUrl)
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'X-Callback-URL header is required');
    if (list.length === 0) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Beneficiaries must not be empty');
    const max = this.config.env.MAPPER_MAX_BENEFICIARIES;
    if (list.length > max) throw new AppException(ErrorCode.TOO_MANY_ITEMS, `At most ${max} beneficiaries per request`);
    const items = parseBeneficiaries(list, operation === 'register' ? V3_REGISTER_BENEFICIARY : V3_UPDATE_BENEFICIARY, 'beneficiaries');
    const source = await this.sources.resolve(ctx.principal, sourceCode);
    if (env.callbackUrl) await this.callbacks.assertUrlAllowed(ctx.principal.tenantId, source.id, env.callbackUrl);

    const ack: V3AckDto = { responseCode: '00', responseDescription: 'Request successfully received by Pay-BB', requestID: requestId };
    let createdId: string | undefined;
    await this.ds.transaction((m) =>
      this.idempotency.execute(
        m,
        {
          tenantId: ctx.principal.tenantId,
          scope: `mapper.v3.${operation}:${source.id}`,
          key: env.idempotencyKey ? `key:${env.idempotencyKey}` : `request:${requestId}`,
          requestHash: digestOf({ dto, callbackUrl: env.callbackUrl ?? null }),
        },
        async () => {
          createdId = await this.requests.insert(m, {
            tenantId: ctx.principal.tenantId,
            sourceBbId: source.id,
            requestId,
            operation,
            callbackUrl: env.callbackUrl ?? null,
            payloadEnc: this.cipher.seal(JSON.stringify(items)),
            payloadKeyId: this.cipher.keyId,
            total: items.length,
            actorId: actorOf(ctx.principal).id,
            actorKind: ctx.principal.kind,
            correlationId: ctx.correlationId,
          });
          if (!createdId)
            throw new AppException(ErrorCode.CONFLICT, `RequestID '${requestId}' was already used for another ${operation} request`);
          return { status: 200, body: ack };
        },
      ),
    );
    if (createdId) await this.enqueue([createdId]);
    return ack;
  }

  async status(ctx: RequestContext, sourceCode: string, operation: Operation, requestId: string): Promise<V3RequestStatusDto> {
    const source = await this.sources.resolve(ctx.principal, sourceCode);
    const r = await this.requests.find(ctx.principal.tenantId, source.id, operation, requestId);
    if (!r) throw new AppException(ErrorCode.NOT_FOUND, `No ${operation} request '${requestId}' from '${sourceCode}'`);
    return {
      requestID: r.requestId,
      operation: r.operation,
      status: r.status,
      numberOfBeneficiaries: r.total,
      numberFailedCases: r.failed,
      failedCases: r.failedCases,
      callbackDeliveryId: r.callbackDeliveryId,
      createdAt: new Date(r.createdAt).toISOString(),
      completedAt: r.completedAt ? new Date(r.completedAt).toISOString() : null,
    };
  }

  /** Never fails the caller: if Redis is away, the worker's recovery pass finds the accepted request. */
  async enqueue(ids: string[]): Promise<void> {
    try {
      await Promise.all(ids.map((id) => this.enqueueOne(id)));
    } catch (err) {
      this.logger.warn(`Could not enqueue mapper requests ${ids.join(',')}: ${(err as Error).message}; recovery will pick them up`);
    }
  }

  /** A job that failed all its attempts keeps its ID in Redis, so it is retried rather than re-added. */
  private async enqueueOne(id: string): Promise<void> {
    const existing = await this.queue.getJob(id);
    if (existing && (await existing.isFailed())) return existing.retry();
    await this.queue.add(
      PROCESS_REQUEST_JOB,
      { mapperRequestId: id },
      { jobId: id, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: false },
    );
  }

  private one<T>(a: T | undefined, b: T | undefined, name: string): T {
    if (a !== undefined && b !== undefined) throw new AppException(ErrorCode.VALIDATION_FAILED, `${name} is given twice under different spellings`);
    const v = a ?? b;
    if (v === undefined) throw new AppException(ErrorCode.VALIDATION_FAILED, `${name} is required`);
    return v;
  }
}
