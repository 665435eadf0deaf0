import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, AppConfig, AppException, AuditService, ErrorCode } from '@app/platform';
import { CALLBACK_HOST_RESOLVER } from './callbacks.constants';
import { CallbacksQueue } from './callbacks.queue';
import { CallbacksRepository, DeliveryFilter } from './callbacks.repository';
import { Delivery, DeliveryAttempt, ScheduleCallback } from './delivery';
import { CallbackUrlPolicy, HostResolver } from './url-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Same rule as inbound X-CorrelationID: anything else is replaced rather than sent on in a header. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const EVENT_TYPE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The public face of outbound callbacks: other modules check a URL when a client gives it, schedule a delivery in
 * their own transaction, and dispatch it after commit. Delivery itself happens in the worker (CallbackDeliverer).
 */
@Injectable()
export class CallbacksService {
  private readonly logger = new Logger(CallbacksService.name);
  readonly policy: CallbackUrlPolicy;

  constructor(
    private readonly repo: CallbacksRepository,
    private readonly queue: CallbacksQueue,
    private readonly config: AppConfig,
    @Inject(CALLBACK_HOST_RESOLVER) resolver: HostResolver,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {
    this.policy = new CallbackUrlPolicy(resolver, config.env.CALLBACK_ALLOW_PRIVATE_TARGETS);
  }

  async assertUrlAllowed(tenantId: string, participantId: string, url: string): Promise<void> {
    const target = UUID.test(participantId) ? await this.repo.findTarget(tenantId, participantId) : undefined;
    await this.policy.check(url, target?.bases ?? []);
  }

  /** Checks everything but DNS (no network calls inside the caller's transaction); the worker re-checks DNS. */
  async schedule(manager: EntityManager, cb: ScheduleCallback): Promise<string> {
    if (!EVENT_TYPE.test(cb.eventType))
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'Callback event type must be 1-100 letters, digits, . _ : or -',
      );
    const target = UUID.test(cb.participantId)
      ? await this.repo.findTarget(cb.tenantId, cb.participantId, manager)
      : undefined;
    if (!target)
      throw new AppException(ErrorCode.NOT_FOUND, 'Callback recipient is not a participant of this tenant');
    this.policy.checkStatic(cb.url, target.bases);
    return this.repo.insert(manager, {
      tenantId: cb.tenantId,
      participantId: cb.participantId,
      eventType: cb.eventType,
      method: cb.method ?? 'POST',
      url: cb.url,
      payloadJson: JSON.stringify(cb.payload ?? null),
      correlationId:
        cb.correlationId && CORRELATION_ID.test(cb.correlationId) ? cb.correlationId : randomUUID(),
      maxAttempts: this.config.env.CALLBACK_MAX_ATTEMPTS,
    });
  }

  async dispatch(ids: string[]): Promise<void> {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return;
    try {
      await this.queue.enqueueMany(await this.repo.findPending(valid));
    } catch (err) {
      // Only the database lookup can throw here; enqueueMany never does.
      const named =
        valid.slice(0, 10).join(', ') + (valid.length > 10 ? ` and ${valid.length - 10} more` : '');
      this.logger.warn(
        `Could not dispatch callback deliveries ${named} (${(err as Error).name}); recovery will pick them up`,
      );
    }
  }

  list(tenantId: string, filter: DeliveryFilter): Promise<Delivery[]> {
    return this.repo.list(tenantId, filter);
  }

  async get(tenantId: string, id: string): Promise<Delivery & { attemptHistory: DeliveryAttempt[] }> {
    const delivery = await this.repo.findById(tenantId, id);
    if (!delivery) throw notFound(id);
    return { ...delivery, attemptHistory: await this.repo.findAttempts(tenantId, id) };
  }

  /** Gives a failed or delivered delivery a fresh budget of CALLBACK_MAX_ATTEMPTS and sends it again now. */
  /** An operator's re-send, audited in the same transaction as the reset of the delivery. */
  async resend(tenantId: string, id: string, by: { actor: Actor; correlationId?: string }): Promise<Delivery> {
    const delivery = await this.ds.transaction(async (m) => {
      const d = await this.repo.resend(tenantId, id, this.config.env.CALLBACK_MAX_ATTEMPTS, m);
      if (d)
        await this.audit.record(m, [
          { tenantId, actor: by.actor, action: 'callback.resend', objectType: 'callback_delivery', objectId: id, correlationId: by.correlationId },
        ]);
      return d;
    });
    if (!delivery) {
      const current = await this.repo.findById(tenantId, id);
      if (!current) throw notFound(id);
      throw new AppException(
        ErrorCode.CONFLICT,
        `Delivery ${id} is ${current.status}; it is retried automatically and can be re-sent once it has finished`,
      );
    }
    this.logger.log(`Callback delivery ${id} re-sent by an operator`);
    await this.dispatch([id]);
    return delivery;
  }
}

function notFound(id: string): AppException {
  return new AppException(ErrorCode.NOT_FOUND, `No callback delivery ${id}`);
}
