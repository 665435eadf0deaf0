import { ValidationOptions, ValidateBy } from 'class-validator';
import { AppException, ErrorCode } from '@app/platform';

const DIGITS = /^(0|[1-9][0-9]{0,17})$/;

/**
 * P2G amounts are integers in the currency's minor units (the YAMLs type them `integer`; BBPS sends paise). A
 * JSON number must be a safe integer; a string of digits is taken too, for values a JSON number cannot carry.
 */
export function isMinorUnits(v: unknown): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0;
  return typeof v === 'string' && DIGITS.test(v);
}

export function IsMinorUnits(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMinorUnits',
      validator: {
        validate: (v: unknown) => isMinorUnits(v),
        defaultMessage: (a) => `${a?.property} must be a non-negative integer amount in minor units`,
      },
    },
    opts,
  );
}

export function toMinor(v: unknown, field: string): bigint {
  if (!isMinorUnits(v))
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `${field} must be a non-negative integer amount in minor units`,
    );
  return BigInt(v as string | number);
}

/** Minor units as a JSON number when exact, else as a string (the YAMLs want integers). */
export function jsonAmount(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** An integer identifier the YAMLs type `integer` (rtpId): a JSON number or a string of digits. */
export function IsIntegerId(opts?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIntegerId',
      validator: {
        validate: (v: unknown) => isMinorUnits(v),
        defaultMessage: (a) => `${a?.property} must be an integer`,
      },
    },
    opts,
  );
}
