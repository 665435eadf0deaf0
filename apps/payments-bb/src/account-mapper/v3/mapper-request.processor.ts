import { Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bull';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { AppConfig, FieldCipher, PeriodicPass } from '@app/platform';
import { BeneficiaryRegistryService } from '../beneficiary-registry.service';
import { BeneficiaryInput } from '../domain/beneficiary-input';
import { FailedCase } from '../domain/failed-case';
import { MAPPER_QUEUE, PROCESS_REQUEST_JOB, ProcessRequestJob } from '../mapper.constants';
import { MapperRequest, MapperRequestsRepository } from '../mapper-requests.repository';
import { V3MapperService } from './v3-mapper.service';

/** The callback bodies of RegisterBeneficiaryResponse.yml and UpdateBeneficiaryResponse.yml (they name the ID differently). */
export function callbackBody(r: Pick<MapperRequest, 'operation' | 'requestId'>, failed: FailedCase[]) {
  const idField = r.operation === 'register' ? 'payeeIdentity' : 'payeeFunctionalID';
  return {
    requestID: randomBytes(6).toString('hex'),
    registerRequestID: r.requestId,
    numberFailedCases: failed.length,
    failedCases: failed.map((f) => ({
      [idField]: f.functionalId,
      ...(f.institutionCode ? { bankingInstitutionCode: f.institutionCode } : {}),
      ...(f.modality ? { paymentModality: f.modality } : {}),
      failureReason: f.reason.slice(0, 100),
    })),
  };
}

/** Applies accepted v3 requests. The job carries only the request's ID; the row is the state. */
@Processor(MAPPER_QUEUE)
@Injectable()
export class MapperRequestProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MapperRequestProcessor.name);
  private readonly recovery = new PeriodicPass('Mapper recovery pass', () => this.recover(), this.logger);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
    private readonly cipher: FieldCipher,
    private readonly requests: MapperRequestsRepository,
    private readonly registry: BeneficiaryRegistryService,
    private readonly callbacks: CallbacksService,
    private readonly v3: V3MapperService,
  ) {}

  @Process(PROCESS_REQUEST_JOB)
  async handle(job: Job<ProcessRequestJob>): Promise<void> {
    await this.process(job.data.mapperRequestId);
  }

  async process(id: string): Promise<void> {
    let deliveryId: string | null = null;
    const done = await this.ds.transaction(async (m) => {
      const r = await this.requests.claim(m, id);
      if (!r || !r.payloadEnc || !r.payloadKeyId) return false;
      const items = JSON.parse(this.cipher.open(r.payloadEnc, r.payloadKeyId)) as BeneficiaryInput[];
      const scope = {
        tenantId: r.tenantId,
        sourceBbId: r.sourceBbId,
        requestId: r.requestId,
        actor: { id: r.actorId, kind: r.actorKind },
        correlationId: r.correlationId ?? undefined,
      };
      const outcome = r.operation === 'register' ? await this.registry.register(m, scope, items) : await this.registry.update(m, scope, items);
      if (r.callbackUrl) {
        deliveryId = await this.callbacks.schedule(m, {
          tenantId: r.tenantId,
          participantId: r.sourceBbId,
          url: r.callbackUrl,
          eventType: `mapper.${r.operation}.result`,
          payload: callbackBody(r, outcome.failedCases),
          correlationId: r.correlationId ?? undefined,
        });
      }
      await this.requests.complete(m, r.id, outcome.failedCases, deliveryId);
      this.logger.log(`Mapper request ${r.id} ${r.operation}: ${outcome.applied} applied, ${outcome.failedCases.length} failed`);
      return true;
    });
    if (done && deliveryId) await this.callbacks.dispatch([deliveryId]);
  }

  /** Redis keeps nothing across restarts here: accepted requests are found again in the database. */
  async onApplicationBootstrap(): Promise<void> {
    this.recovery.start(this.config.env.CALLBACK_RECOVERY_INTERVAL_MS);
    await this.recovery.run();
  }

  onApplicationShutdown(): Promise<void> {
    return this.recovery.stop();
  }

  private async recover(): Promise<void> {
    const ids = await this.requests.pendingIds(500);
    if (ids.length) await this.v3.enqueue(ids);
  }
}
