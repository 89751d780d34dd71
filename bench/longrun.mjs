// 5. Long run: a simulated 24-hour session on a fake clock shared by the session and the server.
import { load } from './lib/deps.mjs';
import { fmt } from './lib/stats.mjs';

const HOUR_MS = 3_600_000;
const SIMULATED_HOURS = 24;
/** One request every 10 simulated seconds: 8,640 requests over the day. */
const STEP_MS = 10_000;
/** Short tokens make the day full of refreshes: 1 h lifetime, refreshed from 48 min. */
const TOKEN_LIFETIME_SEC = 3_600;

function heap() {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Drive `call` through the simulated day. Faults the real service has on a bad day are
 * injected along the way: every 2 h a 503, every 3 h a dropped connection, and at hour 12
 * every token is revoked (as a server-side logout or a deploy would).
 */
async function simulateDay({ server, clock, call, withFaults }) {
  const start = clock.now();
  let served = 0;
  let failures = 0;
  const failureSamples = [];
  const heapByHour = [heap()];
  for (let t = STEP_MS; t <= SIMULATED_HOURS * HOUR_MS; t += STEP_MS) {
    clock.set(start + t);
    if (withFaults && t % (2 * HOUR_MS) === 0) server.inject('/Account/search', { status: 503 });
    if (withFaults && t % (3 * HOUR_MS) === 0) server.inject('/Account/search', { drop: true });
    if (t === 12 * HOUR_MS) server.revokeAllTokens();
    try {
      await call();
      served++;
    } catch (error) {
      failures++;
      if (failureSamples.length < 3) failureSamples.push(String(error?.message ?? error).slice(0, 120));
    }
    if (t % HOUR_MS === 0) heapByHour.push(heap());
  }
  return { served, failures, failureSamples, heapByHour };
}

export async function longRun() {
  const { AuthSession } = await load('@testmax/auth');
  const { startMockServer, DEMO_USER } = await load('@testmax/mock-server');
  let fakeNow = Date.now();
  const clock = {
    now: () => fakeNow,
    set: (ms) => {
      fakeNow = ms;
    },
    // Timers stay real: only the wall clock the token lifetime is measured on moves fast.
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
  };
  const server = await startMockServer({ now: () => fakeNow, tokenLifetimeSec: TOKEN_LIFETIME_SEC });
  try {
    const session = new AuthSession({
      userName: DEMO_USER.userName,
      apiKey: DEMO_USER.apiKey,
      baseUrl: server.url,
      clock,
      retry: { minDelayMs: 1, maxDelayMs: 10 },
      logger: false,
    });
    const url = `${server.url}/Account/search`;
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const started = performance.now();
    const ours = await simulateDay({
      server,
      clock,
      withFaults: true,
      call: async () => {
        const response = await session.fetch(url, init);
        const body = await response.json();
        if (!response.ok || body.success !== true) throw new Error(`HTTP ${response.status}`);
      },
    });
    const oursWall = performance.now() - started;
    const logins = server.calls('/Auth/loginKey');
    const refreshes = server.calls('/Auth/validate');
    const searches = server.calls('/Account/search');

    // Baseline: the same day with a token fetched once and sent as a static header, and the
    // same faults, without a token manager.
    fakeNow = Date.now();
    server.resetCalls();
    const login = await fetch(`${server.url}/Auth/loginKey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
    });
    const { token } = await login.json();
    const baseline = await simulateDay({
      server,
      clock,
      withFaults: true,
      call: async () => {
        const response = await fetch(url, {
          ...init,
          headers: { ...init.headers, authorization: `Bearer ${token}` },
        });
        const text = await response.text();
        if (!response.ok || JSON.parse(text).success !== true) throw new Error(`HTTP ${response.status}`);
      },
    });

    const h = ours.heapByHour;
    // Hour 1 is warm-up (JIT, connection pool, first tokens). Flat means the second half of the
    // day adds less than 1 MB: a leak of even 100 bytes a request would add 0.4 MB there.
    const growth = h[h.length - 1] - h[1];
    const secondHalf = h[h.length - 1] - h[12];
    const peak = Math.max(...h);
    const flat = secondHalf < 1024 * 1024;
    const data = {
      simulatedHours: SIMULATED_HOURS,
      tokenLifetimeSec: TOKEN_LIFETIME_SEC,
      requests: SIMULATED_HOURS * (HOUR_MS / STEP_MS),
      ours: {
        ...ours,
        logins,
        refreshes,
        searches,
        wallMs: oursWall,
        heapGrowth: growth,
        heapGrowthSecondHalf: secondHalf,
        heapPeak: peak,
      },
      baseline: {
        served: baseline.served,
        failures: baseline.failures,
        failureSamples: baseline.failureSamples,
      },
    };
    return {
      title: '5. Long run (simulated 24 h)',
      target: '0 failures, flat memory',
      data,
      markdown: [
        `A fake clock drives both the session and the mock server (same process; timers stay real): ${SIMULATED_HOURS} simulated hours, one \`session.fetch\` to \`POST /Account/search\` every ${STEP_MS / 1000} simulated seconds (${data.requests.toLocaleString('en')} requests), tokens living ${TOKEN_LIFETIME_SEC / 60} min (refreshed from 80 % of their life). A bad day is injected: a 503 every 2 h, a dropped connection every 3 h, and every token revoked at hour 12. Real time taken: ${(oursWall / 1000).toFixed(1)} s.`,
        '',
        '| | requests served | failures | logins | refreshes (`Auth/validate`) | `Account/search` requests sent | heap growth, hour 1 → 24 | of which hour 12 → 24 | heap peak |',
        '|---|---|---|---|---|---|---|---|---|',
        `| ours (\`session.fetch\`) | ${ours.served.toLocaleString('en')} | ${ours.failures}${ours.failures === 0 ? '' : ' **(must be 0)**'} | ${logins} (1 initial + ${logins - 1} after the revocation) | ${refreshes} | ${searches.toLocaleString('en')} (retries and the re-sent 401 included) | ${fmt.MB(growth)} | ${fmt.MB(secondHalf)}${flat ? ' (flat)' : ' **(growing)**'} | ${fmt.MB(peak)} |`,
        `| baseline (static token, plain \`fetch\`) | ${baseline.served.toLocaleString('en')} | ${baseline.failures.toLocaleString('en')} | 1 | 0 | — | — | — | — |`,
        '',
        `Heap by simulated hour (MB, after GC): ${h.map((b) => (b / 1e6).toFixed(2)).join(' · ')}`,
      ].join('\n'),
      met: ours.failures === 0 && flat,
    };
  } finally {
    await server.close();
  }
}
