import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ATTEMPT_OUTCOMES,
  AttemptOutcome,
  CallbackMethod,
  Delivery,
  DeliveryAttempt,
  DELIVERY_STATUSES,
  DeliveryStatus,
} from '../delivery';

/** A delivery as operators see it: everything needed to diagnose it, never the signing secret. */
export class DeliveryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) participantId: string;
  @ApiProperty() eventType: string;
  @ApiProperty({ enum: ['POST', 'PUT'] }) method: CallbackMethod;
  @ApiProperty() url: string;
  @ApiProperty({
    description: 'The JSON body sent (and signed); null for callers without callbacks:admin, since a body may carry personal data',
    nullable: true,
  })
  payload: unknown;
  @ApiProperty() correlationId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ description: 'Attempts started so far' }) attempts: number;
  @ApiProperty() maxAttempts: number;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: Date | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastError: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) deliveredAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class AttemptView {
  @ApiProperty() attemptNo: number;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: Date;
  @ApiPropertyOptional({ type: Number, nullable: true }) durationMs: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) statusCode: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ enum: ATTEMPT_OUTCOMES }) outcome: AttemptOutcome;
}

export class DeliveryDetailView extends DeliveryView {
  @ApiProperty({ type: [AttemptView] }) attemptHistory: AttemptView[];
}

export class DeliveryListView {
  @ApiProperty({ type: [DeliveryView] }) items: DeliveryView[];
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export function toDeliveryView(d: Delivery): DeliveryView {
  return {
    id: d.id,
    participantId: d.participantId,
    eventType: d.eventType,
    method: d.method,
    url: d.url,
    payload: d.payload,
    correlationId: d.correlationId,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.nextAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function toDetailView(d: Delivery, history: DeliveryAttempt[]): DeliveryDetailView {
  return { ...toDeliveryView(d), attemptHistory: history.map((a) => ({ ...a })) };
}
