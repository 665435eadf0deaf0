import type { Request } from 'express';
import { AppException } from './app.exception';

/** What a renderer is given: the error, the request it answers and an ID for 500s. */
export interface ErrorContext {
  error: AppException;
  req: Request;
  correlationId: string;
  errorId?: string;
}

export interface ErrorShape {
  /** A name for logs and docs, e.g. 'govstack-v1'. */
  family: string;
  /** Paths this family answers for; checked on the raw URL so that body-parser errors are shaped too. */
  matches(path: string): boolean;
  render(ctx: ErrorContext): unknown;
}

/** The shape for routes no family claims (operator and platform APIs). */
const defaultShape: ErrorShape = {
  family: 'platform',
  matches: () => true,
  render: ({ error, correlationId, errorId }) => ({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details?.length ? { details: error.details } : {}),
      correlationId,
      ...(errorId ? { errorId } : {}),
    },
  }),
};

const shapes: ErrorShape[] = [];

/** Feature modules register the error shape their API documents; first match wins. */
export function registerErrorShape(shape: ErrorShape): void {
  if (!shapes.some((s) => s.family === shape.family)) shapes.push(shape);
}

export function errorShapeFor(path: string): ErrorShape {
  return shapes.find((s) => s.matches(path)) ?? defaultShape;
}
