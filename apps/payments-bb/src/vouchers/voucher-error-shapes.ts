import type { Request } from 'express';
import { ErrorShape, govstackErrorShape, requestIdOf } from '@app/platform';

const V1_PATHS =
  /^\/vouchers\/(voucher_preactivation|voucher_activation|voucher_redeemption|voucher_redemption|voucherstatuscheck)(\/|\?|$)/;
const V3_PATHS = /^\/vouchers(\/[^/?]+)?(\?|$)/;

/** VoucherAPIS.json: every error is `{ "message": ... }`; the stable code rides along for integrators. */
export const voucherV1Shape: ErrorShape = {
  family: 'govstack-vouchers-v1',
  matches: (path) => V1_PATHS.test(path),
  render: ({ error, errorId }) => ({
    message: `${error.message}${errorId ? ` (error ${errorId})` : ''}`,
    code: error.code,
  }),
};

const batchShape = govstackErrorShape('govstack-vouchers-v3-batch', V3_PATHS);

/**
 * api-v3: GET /vouchers/{serial} errors are `{ status: 9, message, serialNumber, value: 0 }` (VoucherStatus.yml),
 * a redemption's `{ status: 0, message }` (VoucherRedemption.yml), the batch calls' the GovStack ResponseCode shape.
 */
export const voucherV3Shape: ErrorShape = {
  family: 'govstack-vouchers-v3',
  matches: (path) => V3_PATHS.test(path) && !V1_PATHS.test(path),
  render: (ctx) => {
    const req: Request = ctx.req;
    const serial = /^\/vouchers\/([^/?]+)/.exec(req.originalUrl ?? req.url)?.[1];
    if (req.method === 'GET')
      return {
        status: 9,
        message: ctx.error.message,
        code: ctx.error.code,
        serialNumber: serial ?? null,
        value: 0,
      };
    if (req.query?.command === 'redeem')
      return { status: 0, message: ctx.error.message, code: ctx.error.code, requestID: requestIdOf(req) };
    return batchShape.render(ctx);
  },
};
