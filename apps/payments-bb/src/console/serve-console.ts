import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { static as serveStatic } from 'express';
import type { NextFunction, Request, Response } from 'express';

/** The operator console (apps/console) is built by Vite into dist/console; this serves it at /console. */
export const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The directory holding package.json, walking up from `start` (sources under ts-jest, or dist/apps/... at run time). */
export function findProjectRoot(start: string = __dirname): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Where the built console lives: `<project>/dist/console`. */
export function consoleDir(): string {
  return join(findProjectRoot() ?? process.cwd(), 'dist', 'console');
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Serves the console's files at /console. Hash routing (`/console/#/batches/...`) means the server only ever sees
 * `/console`, `/console/` and the hashed assets, so there is no deep-link fallback. `/console/api/*` (sessions,
 * operators) and `/console/queues*` (the queue board) belong to others and are passed on untouched.
 */
export function mountConsole(app: NestExpressApplication, dir: string = consoleDir()): void {
  const index = join(dir, 'index.html');
  const assets = serveStatic(dir, {
    index: false,
    redirect: false,
    fallthrough: true,
    dotfiles: 'ignore',
    setHeaders: (res, file) => {
      securityHeaders(res);
      // Vite names assets by content hash: they never change under the same name.
      res.setHeader(
        'Cache-Control',
        /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });

  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    // Mounted at /console, so req.path is what follows it ('/' for both /console and /console/).
    const path = req.path;
    if (path === '/api' || path.startsWith('/api/') || path.startsWith('/queues')) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      securityHeaders(res);
      res.status(503).type('text/plain').send('The operator console is not built: run `npm run build`.\n');
      return;
    }
    if (path === '/' || path === '/index.html') {
      securityHeaders(res);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index, (err) => {
        if (err && !res.headersSent) next(err);
      });
      return;
    }
    assets(req, res, next);
  });
}
