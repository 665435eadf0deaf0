import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { DataSource } from 'typeorm';
import { actorOf, AppConfig, AuditService, correlationIdOf, hasScope, Principal } from '@app/platform';
import { appQueues } from '../bootstrap/app-queues';
import { loggerOptions } from '../bootstrap/logger-options';
import { OperatorSessionsService } from '../operators/operator-sessions.service';
import { isUnsafeMethod } from '../operators/session-cookie';

export const QUEUE_BOARD_PATH = '/console/queues';
export const QUEUE_BOARD_SCOPE = 'queues:admin';
const LOGIN_PAGE = '/console/#/login';

type BoardRequest = Request & { principal?: Principal };

function sendError(req: Request, res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message, correlationId: correlationIdOf(req) } });
}

/**
 * Whether an unsafe request comes from a page of this server. The board's own UI cannot send the console's
 * X-CSRF-Token (it is a third-party page that knows nothing of our sessions), so the CSRF defence here is: the
 * session cookie is SameSite=Strict (another site's page cannot make the browser send it), and every unsafe request
 * must prove it was made by a page of this origin. Browsers always send `Origin` on cross-origin requests and on
 * same-origin POST/PUT/PATCH/DELETE, and no page can forge it; where it is missing, `Sec-Fetch-Site: same-origin`
 * (also set by the browser, unforgeable by page scripts) stands in. No header at all, or any other origin: refused.
 * `Host` is compared as received (`trust proxy` is off): a reverse proxy must pass it through unchanged.
 */
export function isSameOrigin(req: Pick<Request, 'headers'>): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] === 'same-origin';
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    // Parsed with the origin's scheme so that default ports compare equal (`host:443` and `host` over https).
    return new URL(`${o.protocol}//${host}`).host === o.host;
  } catch {
    return false; // 'null' (sandboxed frames, opaque origins) or garbage
  }
}

/**
 * The board's page loads its scripts and styles from /console/queues/static; inline styles are its own. Nothing
 * else may load: this also keeps the UI from fetching its web font from Google (no operator's address leaks there,
 * and the board works offline).
 */
export const QUEUE_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Every board response: never cached (job data and queue state are live and operator-only), never framed. */
function boardHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', QUEUE_BOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Set again just before the headers go out: the board's static files set their own Cache-Control.
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    this.setHeader('Cache-Control', 'no-store');
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as typeof res.writeHead;
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Bull Board, the queue dashboard, at /console/queues for console operators holding `queues:admin` (the admin role).
 * It shows and acts on the Nest-managed queue instances of APP_QUEUES: no queue is created and no processor started
 * here. Mount it only where the process serves HTTP, in front of the body parsers (the board parses its own).
 */
export function mountQueueBoard(app: NestExpressApplication): void {
  const logger = new Logger('QueueBoard');
  const config = app.get(AppConfig);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  const queues = appQueues((token) => app.get(token, { strict: false }));
  createBullBoard({
    queues: queues.map(({ queue }) => new BullAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Payments BB queues' } },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');

  // Looked up on first use: the application is not initialised yet when the board is mounted.
  let sessions: OperatorSessionsService | undefined;
  const sessionsService = (): OperatorSessionsService => {
    sessions ??= app.get(OperatorSessionsService, { strict: false }) as OperatorSessionsService;
    return sessions;
  };

  const authorize = async (req: BoardRequest, res: Response, next: NextFunction): Promise<void> => {
    const principal = await sessionsService().authenticate(req);
    if (!principal) {
      const page =
        (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(req.headers.accept ?? '');
      if (page) return res.redirect(302, LOGIN_PAGE);
      return sendError(
        req,
        res,
        401,
        'UNAUTHENTICATED',
        'Log in to the operator console to use the queue board',
      );
    }
    req.principal = principal;
    if (!hasScope(principal, QUEUE_BOARD_SCOPE))
      return sendError(req, res, 403, 'FORBIDDEN', `The queue board needs the scope ${QUEUE_BOARD_SCOPE}`);
    // The queues are shared by every tenant: a tenant's admin must not see, retry or clean another tenant's jobs.
    if (principal.tenantId !== config.env.CONSOLE_PLATFORM_TENANT)
      return sendError(req, res, 403, 'FORBIDDEN', "The queue board is for the platform operator's admins (CONSOLE_PLATFORM_TENANT)");
    if (isUnsafeMethod(req.method)) {
      if (!isSameOrigin(req))
        return sendError(
          req,
          res,
          403,
          'FORBIDDEN',
          'Changes through the queue board must come from a page of this server',
        );
      // Read now: the board's router rewrites req.url while it handles the request.
      const path = req.path;
      res.on('finish', () => {
        if (res.statusCode < 400) audit(req, path, principal);
      });
    }
    next();
  };

  /** Changes made through the board (retry, clean, pause, add, remove...) are audited under the operator's name. */
  const audit = (req: Request, path: string, principal: Principal): void => {
    // Relative to /console/queues: e.g. /api/queues/bulk/retry/failed, or /api/queues/pause (all queues).
    const parts = path.split('/').filter(Boolean);
    const queue = parts[0] === 'api' && parts[1] === 'queues' && parts.length > 3 ? parts[2] : '*';
    void app
      .get(AuditService)
      .record(app.get(DataSource).manager, [
        {
          tenantId: principal.tenantId,
          actor: actorOf(principal),
          action: 'queues.board',
          objectType: 'queue',
          objectId: queue,
          correlationId: correlationIdOf(req),
          details: { method: req.method, path: path.slice(0, 200) },
        },
      ])
      .catch((err: Error) => logger.error(`Could not audit a queue board change: ${err.message}`));
  };

  app.use(
    QUEUE_BOARD_PATH,
    // The application's request log is Nest middleware, which runs after this mount: the board logs for itself.
    pinoHttp(loggerOptions(config).pinoHttp as object),
    boardHeaders,
    (req: Request, res: Response, next: NextFunction) => authorize(req, res, next).catch(next),
    board,
    (req: Request, res: Response) =>
      sendError(req, res, 404, 'NOT_FOUND', `No ${req.method} ${req.baseUrl}${req.path}`),
  );
}
