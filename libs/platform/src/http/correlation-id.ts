import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const CORRELATION_HEADER = 'X-CorrelationID';
const VALID = /^[A-Za-z0-9._:-]{1,64}$/;

type WithCorrelation = Request & { correlationId?: string };

/** Takes X-CorrelationID from the caller when it is sane, otherwise makes one; echoes it on the response. */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const id = given && VALID.test(given) ? given : randomUUID();
  (req as WithCorrelation).correlationId = id;
  res.setHeader(CORRELATION_HEADER, id);
  next();
}

export function correlationIdOf(req: Request): string {
  return (req as WithCorrelation).correlationId ?? 'none';
}
