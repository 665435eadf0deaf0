import { HttpException } from '@nestjs/common';
import { AppException, ErrorCode } from './app.exception';

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Turns anything thrown (Nest HTTP errors, body-parser errors, bugs) into an AppException. */
export function toAppException(err: unknown): AppException {
  if (err instanceof AppException) return err;
  const bp = err as BodyParserError;
  if (bp && typeof bp === 'object' && typeof bp.type === 'string') {
    if (bp.type === 'entity.parse.failed')
      return new AppException(ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON');
    if (bp.type === 'entity.too.large')
      return new AppException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        'Request body is larger than the configured limit',
      );
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported')
      return new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding');
    if (typeof bp.status === 'number' && bp.status < 500)
      return new AppException(
        ErrorCode.VALIDATION_FAILED,
        'Request body could not be read',
        undefined,
        bp.status,
      );
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code =
      status === 401
        ? ErrorCode.UNAUTHENTICATED
        : status === 403
          ? ErrorCode.FORBIDDEN
          : status === 404
            ? ErrorCode.NOT_FOUND
            : status === 413
              ? ErrorCode.PAYLOAD_TOO_LARGE
              : status >= 500
                ? ErrorCode.INTERNAL
                : ErrorCode.VALIDATION_FAILED;
    const response = err.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? ([] as unknown[]).concat((response as { message: unknown }).message).join('; ')
        : err.message;
    return new AppException(code, message, undefined, status);
  }
  return new AppException(ErrorCode.INTERNAL, 'Internal error');
}
