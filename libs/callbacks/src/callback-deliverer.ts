import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, AppException, FieldCipher } from '@app/platform';
import { backoffDelayMs } from './backoff';
import { callbackHeaders, sendCallback, truncateError } from './callback-sender';
import { LOCK_MARGIN_MS } from './callbacks.constants';
import { CallbacksQueue } from './callbacks.queue';
import { AttemptDecision, CallbacksRepository } from './callbacks.repository';
import { CallbacksService } from './callbacks.service';
import { AttemptOutcome, AttemptResult, Delivery } from './delivery';
import { withTimeout } from './timeout';
import { HostResolutionError } from './url-policy';

/**
 * Runs one attempt of one delivery: claim the row, re-check the URL (DNS may have changed since scheduling),
 * send, then record the attempt and the next state together, and enqueue the retry if there is one.
 */
@Injectable()
export class CallbackDeliverer {
  private readonly logger = new Logger(CallbackDeliverer.name);

  constructor(
    private readonly repo: CallbacksRepository,
    private readonly queue: CallbacksQueue,
    private readonly callbacks: CallbacksService,
    private readonly cipher: FieldCipher,
    private readonly config: AppConfig,
  ) {}

  async deliver(deliveryId: string): Promise<void> {
    const env = this.config.env;
    // The lock covers the worst case: the DNS re-check and the request each get CALLBACK_TIMEOUT_MS.
    const claim = await this.repo.claim(deliveryId, 2 * env.CALLBACK_TIMEOUT_MS + LOCK_MARGIN_MS);
    if (claim.kind === 'exhausted')
      this.logger.warn(`Callback delivery ${deliveryId} failed: its last attempt was abandoned`);
    if (claim.kind !== 'claimed') return;
    const d = claim.delivery;
    const result = await this.attempt(d);
    const next = this.decide(d, result);
    if (!(await this.repo.recordAttempt(d, result, next))) {
      this.logger.warn(
        `Callback delivery ${d.id} attempt ${d.attempts} finished after another worker took it over`,
      );
      return;
    }
    const status = result.statusCode ?? result.outcome;
    if (next.status === 'pending') {
      this.logger.log(
        `Callback delivery ${d.id} attempt ${d.attempts}/${d.maxAttempts}: ${status}; retry in ${next.delayMs} ms`,
      );
      await this.queue.enqueue(d.id, d.attempts + 1, next.delayMs);
    } else if (next.status === 'failed') {
      this.logger.warn(
        `Callback delivery ${d.id} failed after attempt ${d.attempts}/${d.maxAttempts}: ${status}`,
      );
    } else {
      this.logger.log(`Callback delivery ${d.id} delivered on attempt ${d.attempts}: ${status}`);
    }
  }

  private async attempt(d: Delivery): Promise<AttemptResult> {
    const startedAt = new Date();
    const refused = (error: string, outcome: AttemptOutcome = 'refused'): AttemptResult => ({
      outcome,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      statusCode: null,
      error: truncateError(error),
    });
    const target = await this.repo.findTarget(d.tenantId, d.participantId);
    if (!target) return refused('The recipient is no longer a participant of this tenant');
    try {
      // Bounded, so a hanging resolver cannot outlast the claim's lock (see deliver()).
      await withTimeout(
        this.callbacks.policy.check(d.url, target.bases),
        this.config.env.CALLBACK_TIMEOUT_MS,
        () => new HostResolutionError(),
      );
    } catch (err) {
      // DNS failing may be temporary, so it is retried like a network error; every other refusal is final.
      if (err instanceof HostResolutionError) return refused(err.message, 'network_error');
      if (err instanceof AppException) return refused(err.message);
      throw err;
    }
    const body = JSON.stringify(d.payload);
    const headers = callbackHeaders({
      deliveryId: d.id,
      attempt: d.attempts,
      eventType: d.eventType,
      correlationId: d.correlationId,
      secret: this.cipher.open(target.secretEnc, target.secretKeyId),
      body,
    });
    return sendCallback(d.url, d.method, headers, body, this.config.env.CALLBACK_TIMEOUT_MS);
  }

  /** A refusal is final (retrying cannot make a private address public); anything else retries within budget. */
  private decide(d: Delivery, result: AttemptResult): AttemptDecision {
    if (result.outcome === 'delivered') return { status: 'delivered' };
    if (result.outcome === 'refused' || d.attempts >= d.maxAttempts) return { status: 'failed' };
    const env = this.config.env;
    // After an operator's resend the budget restarts, and so does the backoff curve.
    const attemptInBudget = Math.max(1, d.attempts - (d.maxAttempts - env.CALLBACK_MAX_ATTEMPTS));
    return {
      status: 'pending',
      delayMs: backoffDelayMs(attemptInBudget, env.CALLBACK_BACKOFF_BASE_MS, env.CALLBACK_BACKOFF_MAX_MS),
    };
  }
}
