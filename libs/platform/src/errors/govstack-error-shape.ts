import type { Request } from 'express';
import { ErrorShape } from './error-shapes';

/** GovStack request IDs travel in the body as RequestID (v1) or requestID/requestId (v3). */
export function requestIdOf(req: Request): string | null {
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody =
    body && typeof body === 'object' ? (body.RequestID ?? body.requestID ?? body.requestId) : undefined;
  const fromQuery = req.query?.requestId;
  const id = fromBody ?? fromQuery;
  return typeof id === 'string' ? id : null;
}

/**
 * GovStack's documented error body: `{ ResponseCode: "01", ResponseDescription, RequestID }`.
 * The description carries the stable code first so that integrators can match on it.
 */
export function govstackErrorShape(family: string, paths: RegExp): ErrorShape {
  return {
    family,
    matches: (path) => paths.test(path),
    render: ({ error, req, errorId }) => {
      // The message is usually the first detail; list only what it does not already say.
      const extra = (error.details ?? []).filter((d) => d !== error.message).slice(0, 5);
      const detail = extra.length ? `: ${extra.join('; ')}` : '';
      const description = `${error.code}: ${error.message}${detail}${errorId ? ` (error ${errorId})` : ''}`;
      return {
        ResponseCode: '01',
        ResponseDescription: description.length > 200 ? `${description.slice(0, 197)}...` : description,
        RequestID: requestIdOf(req),
      };
    },
  };
}
