/**
 * What every TypeScript consumer does with the client its generator wrote: the flow a real
 * integration goes through, against the spec's local server entry (`http://127.0.0.1:{port}`).
 */
export interface FlowInput {
  /** The port to put into the spec's local server entry. */
  port: string;
  userName: string;
  apiKey: string;
}

export interface FlowResult {
  /** `Status/ping` answered `success: true`. */
  pinged: boolean;
  /** The names `Account/search` returned with `onlyActiveAccounts: true`, sent with the bearer. */
  activeAccounts: string[];
  /** `Auth/logout` answered `success: true`. */
  loggedOut: boolean;
  /** The HTTP status of `Account/search` with the same bearer after logout (401 expected). */
  statusAfterLogout: number;
}

/** The spec's local server entry, with its `port` variable filled in. */
export const LOCAL_SERVER = 'http://127.0.0.1:{port}';

export class FlowError extends Error {
  override name = 'FlowError';
}

/** Fail the flow with what the step answered (never the key or the token). */
export function fail(step: string, answer: unknown): never {
  throw new FlowError(`${step} failed: ${JSON.stringify(answer)}`);
}

export function check(condition: unknown, step: string, answer: unknown): asserts condition {
  if (!condition) fail(step, answer);
}
