import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { BatchHeaders } from './batch-submission.service';

const one = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
};

/** The batch APIs' optional headers, read once. */
export const BatchHeadersOf = createParamDecorator((_: unknown, ctx: ExecutionContext): BatchHeaders => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return {
    programId: one(req, 'x-program-id'),
    registeringInstitutionId: one(req, 'x-registering-institution-id'),
    callbackUrl: one(req, 'x-callback-url'),
    idempotencyKey: one(req, 'idempotency-key'),
    correlationId: one(req, 'x-correlationid'),
    executeAt: one(req, 'x-execute-at'),
    controlCount: one(req, 'x-control-count'),
    controlSum: one(req, 'x-control-sum'),
  };
});

export const OPTIONAL_BATCH_HEADERS = [
  { name: 'X-Program-Id', required: false, description: 'Program to pay from; optional when the source BB has one program in the currency' },
  { name: 'X-Callback-URL', required: false, description: "Where the batch's final result is sent (must lie under the source BB's callback bases)" },
  { name: 'Idempotency-Key', required: false, description: 'Makes a retry the same batch; defaults to the BatchID (v1) or X-CorrelationID (v3)' },
  { name: 'X-Execute-At', required: false, description: 'ISO 8601 date-time: no money moves before it' },
  { name: 'X-Control-Count', required: false, description: 'Declared number of instructions; a mismatch refuses the whole batch' },
  { name: 'X-Control-Sum', required: false, description: 'Declared total as a decimal string; a mismatch refuses the whole batch' },
];
