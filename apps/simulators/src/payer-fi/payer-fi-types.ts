import type { SimLink } from '../biller/sim-kit';
/** The payer FI simulator's public types: what tests, main.ts and the control endpoints see. */

export type RtpDecision = 'accept' | 'reject';

/** Settings that may be changed while the simulator runs (`configure`, `POST /_sim/config`). */
export interface PayerFiConfig {
  /** How every request to pay is answered (default 'accept'). */
  decision: RtpDecision;
  /** rejectReason of a rejection (default 'R'). */
  rejectReason: string;
  /** After accepting, inquire the bill and pay it through the server (default false). */
  payOnAccept: boolean;
  /** Delay between receiving a request to pay and answering it (default 0: the next turn of the event loop). */
  respondDelayMs: number;
}

export interface PayerFiOptions extends Partial<PayerFiConfig> {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, every request outside /_sim/ must carry a valid X-Signature made with it, else 401. */
  secret?: string;
  /** The server's base URL: answers go to `${pbbUrl}/rtpResponse`, payments to `${pbbUrl}/billTransferRequests`. */
  pbbUrl?: string;
  /** Sent as X-API-Key to the server (the payer FI participant's API key). */
  pbbApiKey?: string;
  /** Sent as X-Platform-TenantId to the server. */
  tenantId?: string;
  /** The FI's participant code, sent as X-PayerFI-Id. */
  payerFiId?: string;
  /** One line per request to pay, answer and payment. Never carries phone numbers. */
  log?: (line: string) => void;
}

/** A request the server sent to the simulator. Headers are lower-cased. */
export interface ReceivedRequest {
  body: unknown;
  headers: Record<string, string>;
}

/** The answer to one request to pay, sent to `${pbbUrl}/rtpResponse`. */
export interface SentRtpResponse {
  rtpId: string;
  billId: string;
  /** '00' accepted, '01' rejected. */
  rtpStatus: '00' | '01';
  /** HTTP status of the server's last answer; null when there was none. */
  httpStatus: number | null;
  attempts: number;
  error?: string;
}

/** A payment made after accepting (payOnAccept): a bill inquiry, then a bill transfer request. */
export interface SimPayment {
  billId: string;
  /** HTTP status of the inquiry; null when there was none. */
  inquiryStatus: number | null;
  /** HTTP status of the payment; null when there was none or it was not attempted. */
  paymentStatus: number | null;
  paymentReferenceID: string;
  /** The X-CorrelationID of the inquiry. */
  inquiryRequestId: string;
  /** The billInquiryRequestId sent with the payment: the inquiry answer's RequestID, else inquiryRequestId. */
  billInquiryRequestId?: string;
  /** The payment's requestId. */
  requestId?: string;
  error?: string;
}

export interface PayerFiState {
  /** Requests to pay received (not those answered 503 or 400). */
  rtps: ReceivedRequest[];
  responsesSent: SentRtpResponse[];
  payments: SimPayment[];
  /** Final payment notifications (`POST /billTransferRequests`). */
  notifications: ReceivedRequest[];
  down: boolean;
}

export interface PayerFiSimulator {
  /** Sets where and how the simulator reaches the server (and the secret it checks) after start. */
  link(c: Partial<SimLink>): void;
  /** Base URL, e.g. http://127.0.0.1:4040 */
  readonly url: string;
  close(): Promise<void>;
  setDown(down: boolean): void;
  /** Throws a RangeError (and changes nothing) when a value is invalid. */
  configure(c: Partial<PayerFiConfig>): void;
  /** A snapshot. */
  state(): PayerFiState;
  /** Forgets everything recorded and cancels pending answers; settings (down included) stay. */
  reset(): void;
  /** Resolves with the state once `pred` holds (checked now and after every request, answer and payment). */
  waitFor(pred: (s: PayerFiState) => boolean, timeoutMs?: number): Promise<PayerFiState>;
}
