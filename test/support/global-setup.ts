import { createDatabase } from './databases';
import { TEST_DATABASE_URL } from './test-env';

/**
 * A fresh test database per run: dropped and recreated, then migrated once. Tests isolate themselves
 * with fresh tenants, so they never depend on what another test left behind.
 */
export default async function globalSetup(): Promise<void> {
  await createDatabase(TEST_DATABASE_URL);
}
