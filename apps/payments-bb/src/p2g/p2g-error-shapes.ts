import { ErrorCode, ErrorShape, requestIdOf } from '@app/platform';

const GOVSTACK_PATHS =
  /^\/(bills|billTransferRequests|voucherRedemption|rtpRequest|rtpResponse|transferRequests)(\/|\?|$)/;
const BBPS_PATHS = /^\/bbps\//;

/**
 * Two-character response codes of the P2G contract. The YAMLs define only "00" (success) and "01" (failure);
 * the others tell a payer FI or biller which failure it is (docs/p2g.md lists them).
 */
export const P2G_RESPONSE_CODES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_FAILED]: '01',
  [ErrorCode.MALFORMED_JSON]: '01',
  [ErrorCode.UNAUTHENTICATED]: '02',
  [ErrorCode.FORBIDDEN]: '03',
  [ErrorCode.TENANT_MISMATCH]: '03',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: '04',
  [ErrorCode.CONFLICT]: '04',
  [ErrorCode.NOT_FOUND]: '05',
  [ErrorCode.P2G_UNKNOWN_BILLER]: '10',
  [ErrorCode.P2G_BILLER_UNAVAILABLE]: '11',
  [ErrorCode.P2G_BILL_NOT_FOUND]: '12',
  [ErrorCode.P2G_BILL_ALREADY_PAID]: '13',
  [ErrorCode.P2G_AMOUNT_NOT_ALLOWED]: '14',
  [ErrorCode.P2G_CURRENCY_MISMATCH]: '15',
  [ErrorCode.P2G_PAYER_FI_NOT_REGISTERED]: '16',
  [ErrorCode.P2G_INQUIRY_NOT_FOUND]: '17',
  [ErrorCode.P2G_BILL_NOT_PAYABLE]: '18',
  [ErrorCode.P2G_RTP_NOT_FOUND]: '20',
  [ErrorCode.P2G_PAYER_NOT_RESOLVED]: '21',
  [ErrorCode.P2G_STATE_CONFLICT]: '22',
  [ErrorCode.VOUCHER_INVALID_NUMBER]: '30',
  [ErrorCode.VOUCHER_ALREADY_USED]: '31',
  [ErrorCode.VOUCHER_EXPIRED]: '32',
  [ErrorCode.VOUCHER_ALREADY_CANCELLED]: '33',
  [ErrorCode.VOUCHER_NOT_USABLE]: '34',
  [ErrorCode.VOUCHER_LOCKED_OUT]: '35',
  [ErrorCode.INTERNAL]: '99',
};

export const p2gResponseCode = (code: ErrorCode): string => P2G_RESPONSE_CODES[code] ?? '01';

/**
 * The P2G YAMLs' error bodies differ by file: `{code, reason, requestID}` in most, `{responseCode,
 * responseDescription, requestId}` in P2G.yaml. Every field of both is given, with the stable error code beside.
 */
export const p2gShape: ErrorShape = {
  family: 'govstack-p2g',
  matches: (path) => GOVSTACK_PATHS.test(path),
  render: ({ error, req, errorId }) => {
    const code = p2gResponseCode(error.code);
    const reason = `${error.message}${errorId ? ` (error ${errorId})` : ''}`.slice(0, 200);
    const rid = requestIdOf(req);
    return {
      code,
      responseCode: code,
      reason,
      responseDescription: reason,
      requestID: rid,
      requestId: rid,
      errorCode: error.code,
      ...(error.details && error.details.length > 1 ? { details: error.details.slice(0, 10) } : {}),
    };
  },
};

/** BBPS answers `{status, success}`; a failure says which, with the stable code. */
export const bbpsShape: ErrorShape = {
  family: 'bbps',
  matches: (path) => BBPS_PATHS.test(path),
  render: ({ error, errorId }) => ({
    status: 1,
    success: false,
    statusCode: p2gResponseCode(error.code),
    statusMessage: `${error.message}${errorId ? ` (error ${errorId})` : ''}`,
    error: {
      code: error.code,
      message: error.message,
      ...(error.details?.length ? { details: error.details.slice(0, 10) } : {}),
    },
  }),
};
