import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/platform';
import { createHttpApp } from '../../apps/payments-bb/src/bootstrap/configure-app';
import { TEST_ENV } from './test-env';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  ds: DataSource;
  config: AppConfig;
  close(): Promise<void>;
}

/** A queue prefix per test file, so files running in parallel never take each other's jobs. */
export const uniqueQueuePrefix = () => `t${randomBytes(4).toString('hex')}`;

/** Boots the real application (HTTP + workers) against payments_test. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = AppConfig.load({ ...TEST_ENV, QUEUE_PREFIX: uniqueQueuePrefix(), ...env });
  const app = await createHttpApp(config);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    http: () => request(server),
    ds: app.get(DataSource),
    config,
    close: () => app.close(),
  };
}
