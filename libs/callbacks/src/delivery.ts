export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What happened to one attempt; 'abandoned' marks an attempt whose worker stopped before recording it. */
export const ATTEMPT_OUTCOMES = [
  'delivered',
  'http_error',
  'redirect',
  'timeout',
  'network_error',
  'refused',
  'abandoned',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export type CallbackMethod = 'POST' | 'PUT';

/** A request to call a participant back; see CallbacksService.schedule. */
export interface ScheduleCallback {
  tenantId: string;
  participantId: string;
  url: string;
  eventType: string;
  payload: unknown;
  correlationId?: string;
  method?: CallbackMethod;
}

export interface Delivery {
  id: string;
  tenantId: string;
  participantId: string;
  eventType: string;
  method: CallbackMethod;
  url: string;
  payload: unknown;
  correlationId: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryAttempt {
  attemptNo: number;
  startedAt: Date;
  /** Null for an abandoned attempt: nobody saw it end. */
  durationMs: number | null;
  statusCode: number | null;
  error: string | null;
  outcome: AttemptOutcome;
}

/** The result of one send, before it is written down. */
export interface AttemptResult {
  outcome: AttemptOutcome;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}
