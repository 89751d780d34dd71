import { readFileSync } from 'node:fs';
import { AuthSession, GATEWAY_RATE_LIMITS } from '@testmax/auth';
import {
  DEMO_USER,
  GATEWAY_RATE_LIMITS as SIMULATOR_RATE_LIMITS,
  startMockServer,
} from '@testmax/mock-server';
import { describe, expect, it } from 'vitest';
import { SPEC_PATH } from '../support/paths.js';

// The facts the spec states for machines must be the ones the SDK and the simulator act on.

const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as {
  components: { securitySchemes: { bearerAuth: Record<string, unknown> } };
  'x-testmax-rate-limits': { path?: string; limit: number; windowSeconds: number }[];
};
const lifetimeSec = spec.components.securitySchemes.bearerAuth['x-testmax-token-lifetime-seconds'] as number;

describe('x-testmax-token-lifetime-seconds', () => {
  it('is the lifetime @testmax/auth assumes for a token without a readable exp', () => {
    // A session handed an opaque token at time 0 assumes it expires after that lifetime.
    const clock = { now: () => 0, setTimeout: () => undefined, clearTimeout: () => {} };
    const session = new AuthSession({
      userName: 'u@example.com',
      token: 'opaque-token',
      clock,
      logger: false,
    });
    expect(session.expiryKnown).toBe(false);
    expect(session.expiresAt?.getTime()).toBe(lifetimeSec * 1000);
  });

  it('is the lifetime of the tokens the simulator issues by default (exp - iat)', async () => {
    await using server = await startMockServer();
    const res = await fetch(`${server.url}/Auth/loginKey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
    });
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(lifetimeSec);
  });
});

describe('x-testmax-rate-limits', () => {
  const stated = spec['x-testmax-rate-limits'].map(({ path, limit, windowSeconds }) => ({
    ...(path === undefined ? {} : { path }),
    limit,
    windowMs: windowSeconds * 1000,
  }));

  it('are the limits @testmax/auth counts by default', () => {
    expect([...GATEWAY_RATE_LIMITS]).toEqual(stated);
  });

  it('are the limits the simulator enforces with rateLimits: true', () => {
    expect([...SIMULATOR_RATE_LIMITS]).toEqual(stated);
  });
});
