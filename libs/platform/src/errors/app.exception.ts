/** Stable error codes shared by every API family; each family's renderer maps them to its own shape. */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  TENANT_MISMATCH = 'TENANT_MISMATCH',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  UNKNOWN_SOURCE_BB = 'UNKNOWN_SOURCE_BB',
  CALLBACK_URL_NOT_ALLOWED = 'CALLBACK_URL_NOT_ALLOWED',
  TOO_MANY_ITEMS = 'TOO_MANY_ITEMS',
  INTERNAL = 'INTERNAL',
}

const DEFAULT_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TENANT_MISMATCH: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  UNKNOWN_SOURCE_BB: 400,
  CALLBACK_URL_NOT_ALLOWED: 400,
  TOO_MANY_ITEMS: 400,
  INTERNAL: 500,
};

export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[],
    status?: number,
  ) {
    super(message);
    this.status = status ?? DEFAULT_STATUS[code];
  }
}
