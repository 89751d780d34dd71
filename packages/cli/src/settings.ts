import { CliError, ExitCode } from './exit-codes.js';

/** Request settings the CLI adds on top of the SDK's defaults, for slow links and fast-failing scripts. */
export interface RequestSettings {
  timeoutMs?: number;
  retries?: number;
}

function nonNegativeInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    throw new CliError(
      ExitCode.usage,
      `${name} must be a whole number (got "${raw}").`,
      `Unset it or set e.g. ${name}=3.`,
    );
  }
  return Number(raw.trim());
}

/** `TESTMAX_TIMEOUT_MS` (per attempt) and `TESTMAX_RETRIES` (after the first attempt). */
export function requestSettings(env: NodeJS.ProcessEnv): RequestSettings {
  const timeoutMs = nonNegativeInteger(env, 'TESTMAX_TIMEOUT_MS');
  const retries = nonNegativeInteger(env, 'TESTMAX_RETRIES');
  if (timeoutMs === 0) {
    throw new CliError(
      ExitCode.usage,
      'TESTMAX_TIMEOUT_MS must be greater than 0.',
      'Unset it or set e.g. 10000.',
    );
  }
  return {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retries }),
  };
}
