import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { correlationIdOf } from '../http/correlation-id';
import { errorShapeFor } from './error-shapes';
import { toAppException } from './to-app-exception';

const logger = new Logger('Errors');

/** Renders an error in the shape of the API family that owns the path. Used by Nest and by Express. */
export function sendError(err: unknown, req: Request, res: Response): void {
  const error = toAppException(err);
  const correlationId = correlationIdOf(req);
  let errorId: string | undefined;
  if (error.status >= 500) {
    errorId = randomUUID();
    // Log the stack with an ID the caller can quote; never the request body (it may hold personal data).
    logger.error({ errorId, correlationId, path: req.path, err }, 'Unhandled error');
  }
  const shape = errorShapeFor(req.path);
  if (!res.headersSent) res.status(error.status).json(shape.render({ error, req, correlationId, errorId }));
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }
}

/** Express error middleware for failures that happen before Nest routes the request (body parsing). */
export function expressErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  sendError(err, req, res);
}
