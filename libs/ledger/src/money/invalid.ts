import { AppException, ErrorCode } from '@app/platform';

/** A 400 whose message names the field; details repeat it, as the ValidationPipe's errors do. */
export function invalid(message: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, [message]);
}

/** Echo at most a short prefix of caller input: messages are logged and returned to clients. */
export function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
