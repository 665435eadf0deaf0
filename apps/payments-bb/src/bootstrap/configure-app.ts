import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json, text, urlencoded } from 'express';
import { Logger } from 'nestjs-pino';
import {
  AllExceptionsFilter,
  AppConfig,
  correlationIdMiddleware,
  createValidationPipe,
  expressErrorHandler,
} from '@app/platform';
import { AppModule } from '../app.module';
import { mountConsole } from '../console/serve-console';
import { mountQueueBoard } from '../queue-board';
import { setupSwagger } from './swagger';

/** Builds the HTTP application exactly as production runs it; tests boot this same function. */
export async function createHttpApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  mountQueueBoard(app);
  mountConsole(app);
  // Bulk batches may be far larger than any other JSON body; body-parser skips a body already parsed.
  app.use(['/bulk-payment', '/batchtransactions', '/prepayment-validation'], json({ limit: config.env.BULK_JSON_LIMIT }));
  // Encrypted voucher files (JWE compact serialization) arrive as text; the voucher module decrypts them.
  app.use('/vouchers', text({ type: 'application/jose', limit: '16mb' }));
  app.use(json({ limit: config.env.BODY_LIMIT }));
  app.use(urlencoded({ extended: false, limit: '64kb' }));
  app.use(expressErrorHandler);
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}

/** Workers only: no HTTP server, just the queue processors and their recovery loops. */
export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forConfig(config), { bufferLogs: true });
  ctx.useLogger(ctx.get(Logger));
  ctx.enableShutdownHooks();
  return ctx;
}
