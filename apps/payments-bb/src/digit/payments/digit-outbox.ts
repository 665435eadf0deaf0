import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { DigitPayment } from './payment';
import { paymentView } from './payment-view';

/**
 * Events for other systems (DIGIT publishes to Kafka after its commit, so either can happen without the other):
 * a callback per subscriber, scheduled in the payment's own transaction by the callbacks library, which delivers,
 * retries and records them. Subscribers are registered per tenant (state-level subscriptions cover the cities).
 */
@Injectable()
export class DigitOutbox {
  constructor(private readonly callbacks: CallbacksService) {}

  async publish(m: EntityManager, tenantId: string, event: string, payment: DigitPayment): Promise<string[]> {
    const subs = (await m.query(
      `SELECT s.participant_id, s.url, p.tenant_id AS participant_tenant FROM digit_subscriptions s JOIN participants p ON p.id = s.participant_id
       WHERE (s.tenant_id = $1 OR $1 LIKE s.tenant_id || '.%') AND $2 = ANY(s.events)`,
      [tenantId, event],
    )) as { participant_id: string; url: string; participant_tenant: string }[];
    const ids: string[] = [];
    for (const s of subs)
      ids.push(
        await this.callbacks.schedule(m, {
          tenantId: s.participant_tenant,
          participantId: s.participant_id,
          url: s.url,
          eventType: event,
          correlationId: payment.id,
          payload: { event, tenantId, Payment: paymentView(payment) },
        }),
      );
    return ids;
  }
}
