import type { AuthorizationMode, PayerFspConfig } from './payer-fsp-types';

export const DEFAULT_CONFIG: Readonly<PayerFspConfig> = {
  latencyMs: 0,
  failureRate: 0,
  authorization: 'Y',
  down: false,
  pushDisabled: false,
  strictAccounts: false,
  pushChunkSize: 1000,
  transferMode: 'complete',
};

const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['Y', 'N', 'pending'];
/** A day: anything longer is a typo, and setTimeout overflows past ~24.8 days anyway. */
const MAX_LATENCY_MS = 86_400_000;
const MAX_CHUNK = 100_000;

type Checker = (value: unknown) => string | undefined;

const isBoolean: Checker = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const optionalText: Checker = (v) =>
  v === undefined || v === null || (typeof v === 'string' && v.length <= 500)
    ? undefined
    : 'must be a string (or null to unset)';

const CHECKS: Record<keyof PayerFspConfig, Checker> = {
  latencyMs: (v) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_LATENCY_MS
      ? undefined
      : `must be an integer from 0 to ${MAX_LATENCY_MS}`,
  failureRate: (v) =>
    typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'must be a number from 0 to 1',
  authorization: (v) =>
    AUTHORIZATION_MODES.includes(v as AuthorizationMode) ? undefined : "must be 'Y', 'N' or 'pending'",
  down: isBoolean,
  pushDisabled: isBoolean,
  strictAccounts: isBoolean,
  pushChunkSize: (v) =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_CHUNK
      ? undefined
      : `must be an integer from 1 to ${MAX_CHUNK}`,
  pbbApiKey: optionalText,
  tenantId: optionalText,
  refuseSubBatches: optionalText,
  transferMode: (v) =>
    ['complete', 'insufficient_funds', 'pending', 'no_answer'].includes(v as string)
      ? undefined
      : "must be 'complete', 'insufficient_funds', 'pending' or 'no_answer'",
};

/**
 * `current` with `partial` applied, or a RangeError naming every bad or unknown setting (nothing is applied
 * then). An optional text set to null, undefined or '' is unset.
 */
export function applyConfig(current: Readonly<PayerFspConfig>, partial: unknown): PayerFspConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
    throw new RangeError('settings must be a JSON object');
  const problems: string[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(partial)) {
    const check = CHECKS[key as keyof PayerFspConfig] as Checker | undefined;
    if (!check) {
      problems.push(`unknown setting '${key}'`);
      continue;
    }
    const problem = check(value);
    if (problem) problems.push(`${key} ${problem}`);
    else if (value === null || value === '') next[key] = undefined;
    else next[key] = value;
  }
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return next as unknown as PayerFspConfig;
}

/** The settings as shown by GET /_sim/state: the API key is reported as set or not, never echoed. */
export function publicConfig(config: Readonly<PayerFspConfig>): Record<string, unknown> {
  const { pbbApiKey, ...rest } = config;
  return { ...rest, pbbApiKey: pbbApiKey === undefined ? undefined : '(set)' };
}
