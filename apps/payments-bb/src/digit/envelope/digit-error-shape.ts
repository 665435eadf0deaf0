import { ErrorCode, ErrorShape } from '@app/platform';
import { DigitException } from './digit-exception';
import { responseInfo, RequestInfoLike } from './response-info';

export const DIGIT_PATHS = /^\/(user\/oauth|billing-service|collection-services)(\/|\?|$)/;

/** Our stable codes in DIGIT's vocabulary, for errors raised outside the DIGIT services (validation, auth). */
const DIGIT_CODES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_FAILED]: 'INVALID_REQUEST',
  [ErrorCode.MALFORMED_JSON]: 'INVALID_REQUEST',
  [ErrorCode.UNAUTHENTICATED]: 'InvalidAccessTokenException',
  [ErrorCode.FORBIDDEN]: 'AccessDeniedException',
  [ErrorCode.INTERNAL]: 'INTERNAL_SERVER_ERROR',
};

/** `{ ResponseInfo, Errors: [{code, message, description, params}] }` (common contract ErrorRes). */
export const digitShape: ErrorShape = {
  family: 'digit',
  matches: (path) => DIGIT_PATHS.test(path),
  render: ({ error, req, errorId }) => {
    const body = req.body as { RequestInfo?: RequestInfoLike } | undefined;
    const errors =
      error instanceof DigitException
        ? error.errors
        : [
            {
              code: DIGIT_CODES[error.code] ?? error.code,
              message: error.message,
              description: errorId
                ? `error ${errorId}`
                : error.details?.filter((d) => d !== error.message).join('; ') || error.message,
              params: null,
            },
          ];
    return {
      ResponseInfo: responseInfo(body?.RequestInfo, false),
      Errors: errors.map((e) => ({
        code: e.code,
        message: e.message,
        description: e.description ?? e.message,
        params: e.params ?? null,
      })),
    };
  },
};
