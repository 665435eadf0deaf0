import { AppException, ErrorCode } from '@app/platform';

export interface DigitError {
  code: string;
  message: string;
  description?: string;
  params?: string[] | null;
}

/**
 * An error in DIGIT's words: one or more `{code, message}` (INVALID_BILL_ID, BILL_ALREADY_PAID, ...). Every one is
 * reported, not only the first (DIGIT collapses several under one code). HTTP 400 as DIGIT answers, unless given.
 */
export class DigitException extends AppException {
  constructor(
    readonly errors: DigitError[],
    status = 400,
  ) {
    super(
      status === 401
        ? ErrorCode.UNAUTHENTICATED
        : status === 403
          ? ErrorCode.FORBIDDEN
          : ErrorCode.VALIDATION_FAILED,
      errors[0]?.message ?? 'Invalid request',
      errors.map((e) => `${e.code}: ${e.message}`),
      status,
    );
  }
}

export const digitError = (code: string, message: string, status = 400) =>
  new DigitException([{ code, message }], status);

/** Collects every failed rule of a request, then throws them together. */
export class DigitErrors {
  readonly list: DigitError[] = [];

  add(code: string, message: string): void {
    this.list.push({ code, message });
  }

  throwIfAny(): void {
    if (this.list.length) throw new DigitException(this.list);
  }
}
