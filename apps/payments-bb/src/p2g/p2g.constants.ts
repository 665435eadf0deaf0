import { Actor } from '@app/platform';

export const P2G_QUEUE = 'p2g';
/** Job: send (or re-send) one payment's mark-bill-paid advice to its biller. */
export const ADVICE_JOB = 'advice';
export interface AdviceJob {
  paymentId: string;
}

export const P2G_SYSTEM: Actor = { id: 'system:p2g', kind: 'system' };

/** Bill IDs start with the biller's allocated prefix: four digits (spec 9.3.1). */
export const PREFIX_LENGTH = 4;
export const BILL_ID = /^[0-9]{4}[A-Za-z0-9-]{1,16}$/;
