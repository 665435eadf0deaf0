import { AppException, ErrorCode } from '@app/platform';

/** Printable ASCII, 1-200 characters: a UUID or any other key the client keeps for the retry. */
const KEY = /^[\x21-\x7e]{1,200}$/;

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY.test(key)) {
    const message = 'Idempotency-Key must be 1-200 printable ASCII characters without spaces';
    throw new AppException(ErrorCode.VALIDATION_FAILED, message, [message]);
  }
  return key;
}
