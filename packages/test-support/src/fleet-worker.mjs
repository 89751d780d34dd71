// One process of a fleet, for the fleet tests and `bench/fleet.mjs`: an AuthSession on a
// shared store (and limiter), doing one task, then one JSON line on stdout with what happened.
// Plain JavaScript so the bench can run it too. The argument is one JSON document:
//
//   { auth: '<path of @testmax/auth/node>',
//     store?: { module: '<path>', export: 'fileTokenStore' | 'redisTokenStore', options: {} },
//     limiter?: { module: '<path>', export: 'redisRateLimiter', options: {} },
//     clock?: { startMs, speed },          // simulated time: now = startMs + (Date.now() - startMs) * speed
//                                          // (timers stay real: timeouts and back-off are not sped up)
//     session: { userName, apiKey, baseUrl, ... },   // AuthSession options (JSON)
//     task: { kind: 'tokens', callers }              // N concurrent getSessionToken()
//         | { kind: 'calls', callers, untilMs, startMs?, pauseMs?, path? }  // N callers calling session.fetch until then
//         | { kind: 'login' }                        // one login, then wait to be killed
//   }
//
// Prints "started" once the session exists (a parent may then start the clock), and finally
// { ok, tokens, calls, failures: [messages], statuses: { code: count }, warnings }.
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.argv[2] ?? '{}');
const load = (path) => import(pathToFileURL(path).href);
const auth = await load(config.auth);
const warnings = [];
const options = {
  ...config.session,
  logger: {
    // `debug: true` in the config: every debug line on stderr, with the process and the time.
    debug: config.debug
      ? (message) => console.error(`${process.pid} ${Date.now() % 100000} ${message}`)
      : () => {},
    warn: (message) => warnings.push(message),
  },
};
if (config.store)
  options.store = (await load(config.store.module))[config.store.export](config.store.options ?? {});
if (config.limiter) {
  options.rateLimit = (await load(config.limiter.module))[config.limiter.export](
    config.limiter.options ?? {},
  );
}
if (config.clock) {
  const { startMs, speed } = config.clock;
  options.clock = {
    now: () => startMs + (Date.now() - startMs) * speed,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
  };
}
const session = new auth.AuthSession(options);
console.log('started');

const failures = [];
const statuses = {};
const tokens = new Set();
let calls = 0;
const task = config.task ?? { kind: 'tokens', callers: 1 };

if (task.kind === 'tokens') {
  const got = await Promise.allSettled(Array.from({ length: task.callers }, () => session.getSessionToken()));
  for (const outcome of got) {
    if (outcome.status === 'fulfilled') tokens.add(outcome.value);
    else failures.push(String(outcome.reason?.message ?? outcome.reason));
  }
} else if (task.kind === 'calls') {
  // Calls until `untilMs` (from `startMs`, when given, so processes start together); a call
  // still waiting for a rate-limit place then is abandoned (AbortError), not a failure.
  if (task.startMs)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, task.startMs - Date.now())));
  const stop = new AbortController();
  setTimeout(() => stop.abort(), Math.max(0, task.untilMs - Date.now()));
  await Promise.all(
    Array.from({ length: task.callers }, async () => {
      while (!stop.signal.aborted) {
        try {
          const response = await session.fetch(task.path ?? '/Account/search', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
            signal: stop.signal,
          });
          await response.arrayBuffer();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          if (!response.ok) failures.push(`HTTP ${response.status}`);
          calls++;
        } catch (error) {
          if (error?.name !== 'AbortError') {
            failures.push(String(error?.message ?? error));
            calls++;
          }
        }
        if (task.pauseMs) await new Promise((resolve) => setTimeout(resolve, task.pauseMs));
      }
    }),
  );
} else if (task.kind === 'login') {
  await session.getSessionToken().catch((error) => failures.push(String(error?.message ?? error)));
  await new Promise(() => {}); // killed by the parent
}

await options.store?.close?.();
await options.rateLimit?.close?.();
console.log(
  JSON.stringify({
    ok: failures.length === 0,
    tokens: [...tokens],
    calls,
    failures: failures.slice(0, 20),
    failed: failures.length,
    statuses,
    warnings,
  }),
);
process.exit(0);
