// 2. Thundering herd: N concurrent getSessionToken() on a cold and on an expired session.
import { load } from './lib/deps.mjs';
import { fmt, msText, ratioText, summary, time } from './lib/stats.mjs';

export const CALLERS = 10_000;
const TRIALS = 10;
const DAY_MS = 86_400_000;

function gc() {
  globalThis.gc?.();
}

/** Run `herd` (which fires CALLERS calls at once) and measure it. */
async function measure(herd) {
  gc();
  const before = process.memoryUsage().heapUsed;
  let peakHeap = before;
  const wall = await time(async () => {
    const pending = herd();
    // All callers are waiting now: this is the moment of the most memory in use.
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const tokens = await Promise.all(pending);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    if (new Set(tokens).size !== 1) throw new Error('callers got different tokens');
  });
  return { wall, heapDelta: peakHeap - before };
}

export async function thunderingHerd() {
  const { AuthSession } = await load('@testmax/auth');
  const { startMockServer, DEMO_USER } = await load('@testmax/mock-server');
  let fakeNow = Date.now();
  const clock = {
    now: () => fakeNow,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
  };
  const server = await startMockServer({ now: () => fakeNow });
  const credentials = { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey, baseUrl: server.url, clock };

  // The baseline: a perfect hand-written single-flight around one raw login request.
  const rawLogin = async () => {
    const response = await fetch(`${server.url}/Auth/loginKey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
    });
    return (await response.json()).token;
  };

  const scenarios = {
    cold: { ours: [], baseline: [], logins: [] },
    expired: { ours: [], baseline: [], logins: [] },
  };
  try {
    for (let trial = 0; trial < TRIALS + 1; trial++) {
      const record = trial > 0; // the first round warms up
      for (const name of ['cold', 'expired']) {
        const s = scenarios[name];
        const session = new AuthSession(credentials);
        if (name === 'expired') {
          await session.getSessionToken();
          fakeNow += DAY_MS + 60_000; // past expiry on both clocks
        }
        server.resetCalls();
        const ours = await measure(() => Array.from({ length: CALLERS }, () => session.getSessionToken()));
        const logins = server.calls('/Auth/loginKey');
        let shared;
        const baseline = await measure(() =>
          Array.from({ length: CALLERS }, () => {
            shared ??= rawLogin();
            return shared;
          }),
        );
        if (record) {
          s.ours.push(ours);
          s.baseline.push(baseline);
          s.logins.push(logins);
        }
      }
    }
  } finally {
    await server.close();
  }
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const results = Object.fromEntries(
    Object.entries(scenarios).map(([name, s]) => [
      name,
      {
        logins: Math.max(...s.logins),
        ours: summary(s.ours.map((m) => m.wall)),
        baseline: summary(s.baseline.map((m) => m.wall)),
        ratio: summary(s.ours.map((m, i) => m.wall / s.baseline[i].wall)),
        oursHeap: summary(s.ours.map((m) => m.heapDelta)),
        baselineHeap: summary(s.baseline.map((m) => m.heapDelta)),
      },
    ]),
  );
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${r.logins} | ${r.logins === 1 ? 'yes' : '**no**'} | ${msText(r.ours)} | ${msText(r.baseline)} | ${ratioText(r.ratio)} | ${fmt.MB(r.oursHeap.median)} | ${fmt.MB(r.baselineHeap.median)} |`,
  );
  return {
    title: '2. Thundering herd',
    target: 'exactly 1 login for 10,000 callers (cold and expired); ≤ 0.5 kB heap per waiting caller',
    data: { callers: CALLERS, trials: TRIALS, maxRssBytes, ...results },
    markdown: [
      `${CALLERS.toLocaleString('en')} concurrent \`getSessionToken()\` calls on one session, against the mock server in the same process. "expired": the session had a token and both clocks (the session's and the server's) moved 24 h past its expiry. Baseline: a hand-written perfect single-flight (every caller awaits one shared raw \`fetch\` login) — the floor for this work. ${TRIALS} trials after a warm-up; wall time is from the first call to the last resolution. Heap: growth while all callers wait (after a forced GC). Peak RSS of the whole benchmark process: ${fmt.MB(maxRssBytes)}.`,
      '',
      '| session | logins (max over trials) | exactly 1 | wall, ours | wall, baseline | ratio (median, min, max) | heap, ours | heap, baseline |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
    met: Object.values(results).every((r) => r.logins === 1 && r.oursHeap.median / CALLERS <= 512),
  };
}
