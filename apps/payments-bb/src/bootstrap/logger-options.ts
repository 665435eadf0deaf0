import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { AppConfig, Principal } from '@app/platform';

type Req = IncomingMessage & { correlationId?: string; principal?: Principal };

/** Headers that carry credentials or session secrets. */
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-csrf-token',
];

/**
 * Paths pino removes from every line, wherever a header object turns up: the request and response (the serializers
 * below already leave headers out: this is the second line of defence), a `headers` object logged as such, and one
 * level down (an HTTP client's error carrying the request it sent, `err.config.headers` aside, is cut by the error
 * serializer).
 */
export const REDACTED_PATHS = ['req.headers', 'res.headers', 'headers', '*.headers'].flatMap((prefix) =>
  SECRET_HEADERS.map((h) => `${prefix}["${h}"]`),
);

/** Bindings already on a request's logger, so that the line logged at its end adds only what became known since. */
const BOUND = Symbol('pbb.log.bound');

/**
 * Who and what a request is: correlation ID, tenant, client, and for a console session the operator's username (an
 * identifier, like the client code, never a name or address). The principal is only known once authentication ran,
 * so pino-http asks twice: at the start (correlation ID, bound to every line logged while serving the request) and
 * at the end (the rest, on the request's summary line). Each key is given once, so no line repeats a key.
 */
export function requestProps(req: IncomingMessage): Record<string, string> {
  const r = req as Req & { [BOUND]?: Set<string> };
  const all: Record<string, string | undefined> = {
    correlationId: r.correlationId,
    tenant: r.principal?.tenantId,
    client: r.principal?.participantCode,
    operator: r.principal?.operator?.username,
  };
  const bound = (r[BOUND] ??= new Set<string>());
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined || bound.has(k)) continue;
    bound.add(k);
    out[k] = v;
  }
  return out;
}

/** Allow-lists: a request is its method and path (no query string, no headers, no body), a response its status. */
export const logSerializers = {
  req: (req: { method: string; url: string }) => ({
    method: req.method,
    path: (req.url ?? '').split('?')[0],
  }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
  // Errors keep what says what went wrong; their other fields (a query's parameters, an HTTP client's request
  // config with its headers, a constraint's `detail` with the row's values) may hold keys or personal data.
  err: (err: { type?: string; message?: string; stack?: string; code?: unknown }) => ({
    type: err.type,
    message: err.message,
    stack: err.stack,
    ...(typeof err.code === 'string' || typeof err.code === 'number' ? { code: err.code } : {}),
  }),
};

/**
 * JSON logs (pino). Every line logged while serving a request carries its correlation ID; the request's summary line
 * also carries tenant, client and operator. Bodies, query strings and credentials are never logged: they carry
 * financial addresses, functional IDs and keys.
 */
export function loggerOptions(config: { env: Pick<AppConfig['env'], 'LOG_LEVEL'> }): Params {
  return {
    pinoHttp: {
      level: config.env.LOG_LEVEL,
      genReqId: (req) => (req as Req).correlationId ?? 'none',
      customProps: (req) => requestProps(req),
      serializers: logSerializers,
      redact: { paths: REDACTED_PATHS, remove: true },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
    },
  };
}
