/** The shapes the ledger accepts; the API's DTOs check the same rules before a request reaches the core. */
export const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TRANSFER_CODE = /^[A-Za-z0-9._:-]{1,64}$/;
export const ACCOUNT_CODE = /^[A-Za-z0-9._:/-]{1,100}$/;
export const MAX_TIMEOUT_SECONDS = 366 * 24 * 3600;
/** PostgreSQL bigint. */
export const MAX_AMOUNT = 2n ** 63n - 1n;
