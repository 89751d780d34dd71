import { readFileSync } from 'node:fs';
import { DEFAULT_LIFECYCLE } from '@testmax/auth';
import { DEMO_USER, startMockServer } from '@testmax/mock-server';
import { describe, expect, it } from 'vitest';
import { SPEC_PATH } from '../support/paths.js';

// The facts the spec states for machines must be the ones the SDK and the simulator act on.

const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as {
  components: { securitySchemes: { bearerAuth: Record<string, unknown> } };
};
const lifetimeSec = spec.components.securitySchemes.bearerAuth['x-testmax-token-lifetime-seconds'] as number;

describe('x-testmax-token-lifetime-seconds', () => {
  it('is the lifetime @testmax/auth assumes for a token without a readable exp', () => {
    expect(DEFAULT_LIFECYCLE.assumedLifetimeMs).toBe(lifetimeSec * 1000);
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
