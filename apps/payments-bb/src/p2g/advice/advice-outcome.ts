import { BillerAnswer } from '../billers/biller-http';

export type AdviceOutcome =
  | { kind: 'ack' }
  | { kind: 'rjc'; reason: string }
  | { kind: 'accepted' }
  | { kind: 'retry'; why: string }
  | { kind: 'failed'; why: string };

const REJECT_REASONS = new Set(['Def', 'Dup', 'Und']);

/**
 * What the biller's answer to a mark-bill-paid advice means (markBillPpaymentRequest/-Response.yml). With `status`
 * ACK or RJC it is final. `responseCode` "00" without a status means the biller took the advice and will post its
 * status to /billTransferRequests later; another code is a refusal. No answer, 408, 425, 429 and 5xx are tried again;
 * any other 4xx will not get better by repeating it, so it waits for an operator.
 */
export function adviceOutcome(a: BillerAnswer): AdviceOutcome {
  const body = a.body ?? {};
  if (a.status >= 200 && a.status < 300) {
    const status = typeof body.status === 'string' ? body.status.toUpperCase() : undefined;
    const reason =
      typeof body.rejectReason === 'string' && REJECT_REASONS.has(body.rejectReason)
        ? body.rejectReason
        : 'Und';
    if (status === 'ACK') return { kind: 'ack' };
    if (status === 'RJC') return { kind: 'rjc', reason };
    const code = String(body.responseCode ?? body.code ?? '00');
    return code === '00' ? { kind: 'accepted' } : { kind: 'rjc', reason };
  }
  if (a.status === 408 || a.status === 425 || a.status === 429 || a.status >= 500)
    return { kind: 'retry', why: `HTTP ${a.status}` };
  return {
    kind: 'failed',
    why: `HTTP ${a.status}${typeof body.reason === 'string' ? `: ${body.reason.slice(0, 200)}` : ''}`,
  };
}
