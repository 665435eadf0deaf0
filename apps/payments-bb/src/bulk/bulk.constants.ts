export const BULK_QUEUE = 'bulk';
/** Runs a batch's next stages; carries only the batch ID, the row is the state. */
export const ADVANCE_JOB = 'advance';
/** Sends one sub-batch to the payer FSP. */
export const SUBMIT_JOB = 'submit';
/** Asks the payer FSP for the statuses of a sub-batch whose push is overdue. */
export const POLL_JOB = 'poll';

export interface AdvanceJob {
  batchId: string;
}
export interface SubBatchJob {
  subBatchId: string;
}
/** How long a worker may hold a sub-batch it is sending before another may take it over. */
export const SUBMIT_LEASE_MS = 120_000;
