/**
 * A voucher's life. Value sits in the group's liability account from provisioning until the voucher is consumed
 * (it goes to the merchant), cancelled or expired (it goes back to the program).
 */
export const VOUCHER_STATES = [
  'provisioned',
  'preactivated',
  'activated',
  'suspended',
  'blocked',
  'redeeming',
  'consumed',
  'cancelled',
  'expired',
  'purged',
] as const;
export type VoucherState = (typeof VOUCHER_STATES)[number];

/** Still worth something and not spoken for: may be cancelled (value back to the program). */
export const CANCELLABLE: readonly VoucherState[] = [
  'provisioned',
  'preactivated',
  'activated',
  'suspended',
  'blocked',
];
/** What the expiry sweeper takes once the date has passed (a blocked voucher waits for an operator). */
export const EXPIRABLE: readonly VoucherState[] = ['provisioned', 'preactivated', 'activated', 'suspended'];
/** Gone for good; after the retention period the number itself is forgotten (purged). */
export const FINISHED: readonly VoucherState[] = ['consumed', 'cancelled', 'expired'];

/**
 * v1 `voucher_status` (VoucherAPIS.json) knows seven words. A redeeming voucher is still Activated to an outside
 * caller; consumed, cancelled and expired vouchers are answered with their own statuses (458, 464, 459) by the
 * status check, as the contract lists, and purged ones as Purged.
 */
export const V1_STATUS: Record<VoucherState, string> = {
  provisioned: 'Not Pre-Activated',
  preactivated: 'Pre-Activated',
  activated: 'Activated',
  suspended: 'Suspended',
  blocked: 'Blocked',
  redeeming: 'Activated',
  consumed: 'Used',
  cancelled: 'Cancelled',
  expired: 'Expired',
  purged: 'Purged',
};

/**
 * v3 `status` is an integer "from 01 to 06, and 9 for error": the v1 order (Not Pre-Activated .. Purged), then
 * 7 consumed, 8 cancelled/expired are this server's additions, documented in docs/vouchers.md; `state` gives
 * the exact word.
 */
export const V3_STATUS: Record<VoucherState, number> = {
  provisioned: 1,
  preactivated: 2,
  activated: 3,
  redeeming: 3,
  suspended: 4,
  blocked: 5,
  purged: 6,
  consumed: 7,
  cancelled: 8,
  expired: 8,
};

/** The states a legacy import may give (the sandbox seed's words). */
export const V1_IMPORT_STATES: Record<string, VoucherState> = {
  'Not Pre-Activated': 'provisioned',
  'Pre-Activated': 'preactivated',
  Activated: 'activated',
  Suspended: 'suspended',
  Blocked: 'blocked',
  Purged: 'purged',
};
