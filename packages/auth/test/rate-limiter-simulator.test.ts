import { offerLoad, simulatorLogin } from '@testmax/test-support/rate-limited-load';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';
import { addSecret } from './helpers/capture.js';
import { closeServersAfterEach, DEMO_USER, mockServer } from './helpers/server.js';

closeServersAfterEach();

const RULES = [{ limit: 5, windowMs: 1_000 }];

describe('createRateLimiter against the simulator enforcing the same limit', () => {
  it('without the limiter the simulator answers 429 (the test can fail)', async () => {
    const server = await mockServer({ rateLimits: RULES });
    const token = await simulatorLogin(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    addSecret(token);
    const unlimited = { acquire: async () => {}, pause: () => {} };
    const statuses = await offerLoad({
      baseUrl: server.url,
      token,
      scope: { baseUrl: server.url, userName: DEMO_USER.userName },
      limiters: [unlimited],
      requests: 12,
    });
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });

  it('3x the limit offered at once: every request answered, none with 429', async () => {
    const server = await mockServer({ rateLimits: RULES });
    const token = await simulatorLogin(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    addSecret(token);
    const limiter = createRateLimiter({ rules: RULES });
    const statuses = await offerLoad({
      baseUrl: server.url,
      token,
      scope: { baseUrl: server.url, userName: DEMO_USER.userName },
      limiters: [limiter],
      requests: 15,
    });
    expect(statuses).toEqual(Array.from({ length: 15 }, () => 200));
    expect(server.rateLimited()).toBe(0);
    expect(server.calls('/Account/search')).toBe(15);
  });
});
