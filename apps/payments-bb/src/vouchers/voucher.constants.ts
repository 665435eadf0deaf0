export const VOUCHER_QUEUE = 'vouchers';
/** Asks the payer FSP what became of a redemption whose answer did not come. */
export const RESOLVE_JOB = 'resolve-redemption';
export interface ResolveJob {
  redemptionId: string;
}
