import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig, AuthenticatedRequest } from '@app/platform';

type Req = IncomingMessage & { correlationId?: string; principal?: AuthenticatedRequest['principal']; path?: string };

/**
 * JSON logs with the correlation ID, tenant and client on every line. Bodies, query strings and
 * credentials are never logged: they carry financial addresses, functional IDs and keys.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.env.LOG_LEVEL,
      genReqId: (req) => (req as Req).correlationId ?? 'none',
      // Bound to the request's logger, so every line logged while serving it carries the correlation ID.
      customProps: (req) => ({
        correlationId: (req as Req).correlationId,
        tenant: (req as Req).principal?.tenantId,
        client: (req as Req).principal?.participantCode,
      }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers', 'res.headers'], remove: true },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
    },
  };
}
