/** Shape checks only; the money parser applies each currency's own number of decimals. */
export const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
export const DECIMAL_MESSAGE = '$property must be a decimal string such as "100.50"';
export const CURRENCY = /^[A-Z]{3}$/;
export const CURRENCY_MESSAGE = '$property must be an uppercase ISO 4217 code such as "USD"';
/** Transfer IDs are chosen by the caller and compared as text: lower case only, so a replay matches. */
export { ACCOUNT_CODE, LOWER_UUID, MAX_TIMEOUT_SECONDS, TRANSFER_CODE } from '@app/ledger';
export const LOWER_UUID_MESSAGE = '$property must be a lower-case UUID';
export const TRANSFER_CODE_MESSAGE = '$property must be 1-64 letters, digits, . _ : or -';
export const ACCOUNT_CODE_MESSAGE = '$property must be 1-100 letters, digits, . _ : / or -';
export const MAX_BATCH = 10_000;
