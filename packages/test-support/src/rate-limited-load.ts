/**
 * Offer a simulator more requests than its rate limit allows, every one through a client-side
 * limiter first: the load the limiter tests and the fleet benchmarks share.
 */
import type { LimiterUnderTest } from './rate-limiter-contract.ts';

export interface LoadOptions {
  /** The simulator's base URL. */
  baseUrl: string;
  /** A bearer token the simulator issued (requests count against its user). */
  token: string;
  /** The scope the limiter counts the requests in (base URL and user). */
  scope: { baseUrl: string; userName: string };
  /** Each caller's limiter: several limiters on one shared backend are a fleet. */
  limiters: readonly LimiterUnderTest[];
  /** How many requests in all, spread over the limiters, all started at once. */
  requests: number;
}

/** Every answer's HTTP status, in the order the requests were made. */
export async function offerLoad(options: LoadOptions): Promise<number[]> {
  const path = '/Account/search';
  return Promise.all(
    Array.from({ length: options.requests }, async (_, i) => {
      const limiter = options.limiters[i % options.limiters.length]!;
      const permit = await limiter.acquire({ scope: options.scope, path });
      try {
        const response = await fetch(`${options.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await response.arrayBuffer();
        return response.status;
      } finally {
        permit?.done();
      }
    }),
  );
}

/** Log in to the simulator with raw fetch and return the token. */
export async function simulatorLogin(baseUrl: string, userName: string, apiKey: string): Promise<string> {
  const response = await fetch(`${baseUrl}/Auth/loginKey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName, apiKey }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error(`login failed with HTTP ${response.status}`);
  return body.token;
}
