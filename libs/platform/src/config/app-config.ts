import { EnvConfig, loadEnvConfig } from './env.config';
import { resolveSecrets, ResolvedSecrets } from './secrets';

/** Validated configuration plus resolved key material; one instance per process, injected everywhere. */
export class AppConfig {
  constructor(
    readonly env: EnvConfig,
    readonly secrets: ResolvedSecrets,
  ) {}

  static load(overrides: NodeJS.ProcessEnv = {}): AppConfig {
    const env = loadEnvConfig({ ...process.env, ...overrides });
    return new AppConfig(env, resolveSecrets(env));
  }

  get runsApi(): boolean {
    return this.env.ROLE !== 'worker';
  }

  get runsWorkers(): boolean {
    return this.env.ROLE !== 'api';
  }

  get authDisabled(): boolean {
    return this.env.AUTH_MODE === 'none';
  }
}
