// 6. Fleet: processes sharing one token and one rate budget (Redis, or files on one machine),
// each scenario beside the baseline of the same processes without a shared store.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_PACKAGE, load, ROOT } from './lib/deps.mjs';
import { importTs } from './lib/import-ts.mjs';

const require = createRequire(HOST_PACKAGE);
const AUTH = require.resolve('@testmax/auth/node');
const REDIS = require.resolve('@testmax/redis');
const SUPPORT = join(ROOT, 'packages', 'test-support', 'src');

const PROCESSES = 8;
const COLD_CALLERS = 500;
const SIM_SPEED = 30; // 30 simulated minutes in one real minute
const SIM_MINUTES = 30;
const TOKEN_SEC = 60;
const RATE_RULES = [{ limit: 20, windowMs: 2_000 }];
const RATE_PROCESSES = 4;
const RATE_WINDOWS = 3;

const redisServerPath = () =>
  spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();

export async function fleet() {
  const { startMockServer, DEMO_USER } = await load('@testmax/mock-server');
  if (!redisServerPath()) throw new Error('redis-server is not installed (pnpm test:setup installs it)');
  const { runFleet } = await importTs(join(SUPPORT, 'fleet-processes.ts'));
  const { startRedisServer } = await importTs(join(SUPPORT, 'redis-server.ts'));
  const redis = await startRedisServer();
  const prefix = (name) => `bench-${name}-${Date.now()}:`;
  const redisStore = (name) => ({
    module: REDIS,
    export: 'redisTokenStore',
    options: { url: redis.url, keyPrefix: prefix(name) },
  });
  const fileStore = (dir) => ({ module: AUTH, export: 'fileTokenStore', options: { path: dir } });
  const worker = (server, extra) => ({
    auth: AUTH,
    session: { ...DEMO_USER, baseUrl: server.url },
    ...extra,
  });
  const failuresOf = (results) => results.reduce((n, r) => n + r.failed, 0);
  const rows = [];
  const data = {};
  try {
    // A. Cold start: N processes × M callers each.
    for (const [name, store] of [
      ['Redis', () => redisStore('cold')],
      ['file store', () => fileStore(mkdtempSync(join(tmpdir(), 'testmax-bench-')))],
      ['no shared store (baseline)', () => undefined],
    ]) {
      const server = await startMockServer();
      const shared = store();
      const results = await runFleet(
        Array.from({ length: PROCESSES }, () =>
          worker(server, {
            ...(shared ? { store: shared } : {}),
            task: { kind: 'tokens', callers: COLD_CALLERS },
          }),
        ),
      );
      const logins = server.calls('/Auth/loginKey');
      data[`cold ${name}`] = { logins, failed: failuresOf(results) };
      rows.push(
        `| cold start, ${PROCESSES} processes × ${COLD_CALLERS} callers | ${name} | ${logins} logins | ${failuresOf(results)} | ${shared ? (logins === 1 ? 'yes (exactly 1)' : '**no**') : '—'} |`,
      );
      if (shared?.options.path) rmSync(shared.options.path, { recursive: true, force: true });
      await server.close();
    }

    // B. 30 simulated minutes of calls with 60 s tokens: refreshes for the whole fleet.
    for (const [name, store] of [
      ['Redis', () => redisStore('refresh')],
      ['no shared store (baseline)', () => undefined],
    ]) {
      const startMs = Date.now() + 3_000;
      const now = () => startMs + (Date.now() - startMs) * SIM_SPEED;
      const server = await startMockServer({ now, tokenLifetimeSec: TOKEN_SEC });
      const realMs = (SIM_MINUTES * 60_000) / SIM_SPEED;
      const shared = store();
      const results = await runFleet(
        Array.from({ length: PROCESSES }, () =>
          worker(server, {
            ...(shared ? { store: shared } : {}),
            clock: { startMs, speed: SIM_SPEED },
            session: { ...DEMO_USER, baseUrl: server.url, rateLimit: false },
            task: { kind: 'calls', callers: 4, untilMs: startMs + realMs, pauseMs: 50 },
          }),
        ),
      );
      const lifetimes = (SIM_MINUTES * 60) / TOKEN_SEC;
      const refreshes = server.calls('/Auth/validate');
      const logins = server.calls('/Auth/loginKey');
      const calls = results.reduce((n, r) => n + r.calls, 0);
      data[`refresh ${name}`] = { refreshes, logins, lifetimes, calls, failed: failuresOf(results) };
      rows.push(
        `| ${SIM_MINUTES} simulated minutes, ${TOKEN_SEC} s tokens, ${PROCESSES} processes (${calls.toLocaleString('en')} calls) | ${name} | ${refreshes} refreshes + ${logins} logins for ${lifetimes} token lifetimes (${(refreshes / lifetimes).toFixed(2)} per lifetime) | ${failuresOf(results)} | ${shared ? (refreshes <= lifetimes * 1.5 && failuresOf(results) === 0 ? 'yes' : '**no**') : '—'} |`,
      );
      await server.close();
    }

    // C. 3x the rate limit offered for 3 windows by 4 processes.
    for (const [name, limiter] of [
      [
        'one redisRateLimiter',
        () => ({
          module: REDIS,
          export: 'redisRateLimiter',
          options: { url: redis.url, keyPrefix: prefix('rate'), rules: RATE_RULES },
        }),
      ],
      ['a limiter each (baseline)', () => undefined],
    ]) {
      const server = await startMockServer({ rateLimits: RATE_RULES });
      const windows = RATE_WINDOWS * RATE_RULES[0].windowMs;
      const startMs = Date.now() + 2_000;
      const store = redisStore('rate-token');
      const shared = limiter();
      const results = await runFleet(
        Array.from({ length: RATE_PROCESSES }, () =>
          worker(server, {
            store,
            ...(shared ? { limiter: shared } : {}),
            session: {
              ...DEMO_USER,
              baseUrl: server.url,
              retry: false,
              ...(shared ? {} : { rateLimit: { rules: RATE_RULES } }),
            },
            // 3x the limit: callers enough to offer it the moment places free.
            task: { kind: 'calls', callers: 3 * RATE_RULES[0].limit, startMs, untilMs: startMs + windows },
          }),
        ),
      );
      const answered = results.reduce((n, r) => n + (r.statuses['200'] ?? 0), 0);
      const refused = server.rateLimited();
      const possible = RATE_WINDOWS * RATE_RULES[0].limit;
      data[`rate ${name}`] = { answered, refused, possible };
      rows.push(
        `| ${RATE_PROCESSES} processes offering 3× ${RATE_RULES[0].limit} / ${RATE_RULES[0].windowMs / 1000} s for ${RATE_WINDOWS} windows | ${name} | ${answered} answered (${((answered / possible) * 100).toFixed(0)} % of the limit), ${refused} × 429 | — | ${shared ? (refused === 0 && answered >= 0.9 * possible ? 'yes' : '**no**') : '—'} |`,
      );
      await server.close();
    }

    // D. Redis stopped in the middle of a run.
    {
      const server = await startMockServer();
      const store = redisStore('outage');
      const runMs = 6_000;
      const untilMs = Date.now() + runMs + 1_500;
      const running = runFleet(
        Array.from({ length: PROCESSES }, () =>
          worker(server, {
            store,
            limiter: {
              module: REDIS,
              export: 'redisRateLimiter',
              options: { url: redis.url, keyPrefix: prefix('outage-rate') },
            },
            task: { kind: 'calls', callers: 2, untilMs, pauseMs: 100 },
          }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, runMs / 2));
      await redis.stop();
      const results = await running;
      await redis.start();
      const calls = results.reduce((n, r) => n + r.calls, 0);
      const warned = results.filter((r) => r.warnings.length > 0).length;
      data.outage = { calls, failed: failuresOf(results), logins: server.calls('/Auth/loginKey'), warned };
      rows.push(
        `| Redis stopped half-way through ${runMs / 1000} s of calls, ${PROCESSES} processes | Redis (token store and rate limiter) | ${calls} calls, ${data.outage.logins} logins, ${warned} processes warned | ${data.outage.failed} | ${data.outage.failed === 0 ? 'yes' : '**no**'} |`,
      );
      await server.close();
    }
  } finally {
    await redis.close();
  }

  const met =
    data['cold Redis'].logins === 1 &&
    data['cold file store'].logins === 1 &&
    data['refresh Redis'].failed === 0 &&
    data['refresh Redis'].refreshes <= data['refresh Redis'].lifetimes * 1.5 &&
    data['rate one redisRateLimiter'].refused === 0 &&
    data['rate one redisRateLimiter'].answered >= 0.9 * data['rate one redisRateLimiter'].possible &&
    data.outage.failed === 0;
  return {
    title: '6. Fleet',
    target:
      'cold: exactly 1 login (Redis, file store); refreshes ≈ 1 per token lifetime, 0 failed; 0 × 429 at ≥ 90 % of the limit; Redis stopped: 0 failed',
    met,
    data,
    markdown: [
      `Every process is a real Node process (\`packages/test-support/src/fleet-worker.mjs\`) with one \`AuthSession\`, against the simulator in this process and Debian's \`redis-server\` on loopback. Each scenario runs beside the same processes without a shared store (or limiter). Simulated time: the simulator and the sessions share a clock running ${SIM_SPEED}× (timeouts and back-off stay real).`,
      '',
      '| scenario | processes share | result | failed calls | target met |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  };
}
