// 1. Request overhead: what session.fetch / session.client cost on top of a plain request.
import { load } from './lib/deps.mjs';
import { startMockProcess } from './lib/mock-process.mjs';
import { interleaveBlocks, msText, ratioText } from './lib/stats.mjs';

export const CALLS = 5_000;
const TRIALS = 3;
const BLOCK = 250;

export async function requestOverhead() {
  const { AuthSession } = await load('@testmax/auth');
  const { createClient } = await load('@testmax/client');
  const { DEMO_USER } = await load('@testmax/mock-server');
  const server = await startMockProcess();
  try {
    const session = new AuthSession({
      userName: DEMO_USER.userName,
      apiKey: DEMO_USER.apiKey,
      baseUrl: server.url,
      // The rate limit stays on (its cost per call is part of the overhead), with room for the
      // benchmark's calls: the gateway's 200 a minute would make this a benchmark of waiting.
      rateLimit: { rules: [{ limit: 1_000_000, windowMs: 60_000 }] },
    });
    const token = await session.getSessionToken();
    const url = `${server.url}/Account/search`;
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const authorization = `Bearer ${token}`;
    const bare = createClient({ baseUrl: server.url, headers: { authorization } });

    // Each side reads and parses the body, as a caller would.
    const check = (body) => {
      if (body.success !== true) throw new Error('Account/search failed during the benchmark');
    };
    const loop = (call) => async (n) => {
      for (let i = 0; i < n; i++) check(await call());
    };
    const fetchResult = await interleaveBlocks({
      ours: loop(async () => (await session.fetch(url, init)).json()),
      baseline: loop(async () =>
        (await fetch(url, { ...init, headers: { ...init.headers, authorization } })).json(),
      ),
      total: CALLS,
      block: BLOCK,
      trials: TRIALS,
    });
    // Like for like: a bare fetch that also has a per-request timeout, as session.fetch does
    // (an AbortSignal per attempt, which undici registers for every request).
    const timedResult = await interleaveBlocks({
      ours: loop(async () => (await session.fetch(url, init)).json()),
      baseline: loop(async () =>
        (
          await fetch(url, {
            ...init,
            headers: { ...init.headers, authorization },
            signal: AbortSignal.timeout(15_000),
          })
        ).json(),
      ),
      total: CALLS,
      block: BLOCK,
      trials: TRIALS,
    });
    const clientResult = await interleaveBlocks({
      ours: loop(async () => (await session.client.POST('/Account/search', { body: {} })).data),
      baseline: loop(async () => (await bare.POST('/Account/search', { body: {} })).data),
      total: CALLS,
      block: BLOCK,
      trials: TRIALS,
    });
    const rows = [
      ['`session.fetch` vs `fetch` + static header', fetchResult],
      ['`session.client` vs bare openapi-fetch client', clientResult],
    ];
    const extra = `| \`session.fetch\` vs \`fetch\` + static header + \`AbortSignal.timeout(15 s)\` (like for like, not the target) | ${msText(timedResult.ours)} | ${msText(timedResult.baseline)} | ${ratioText(timedResult.ratio)} | — | — |`;
    // Issue 16: session.fetch ≤ 1.10× a bare fetch, session.client ≤ 1.05× a bare client.
    const limit = (r) => (r === clientResult ? 1.05 : 1.1);
    const table = [
      `| ${CALLS.toLocaleString('en')} sequential \`POST /Account/search\` | ours | baseline | ratio (median, min, max) | target | met |`,
      '|---|---|---|---|---|---|',
      ...rows.map(
        ([name, r]) =>
          `| ${name} | ${msText(r.ours)} | ${msText(r.baseline)} | ${ratioText(r.ratio)} | ≤ ${limit(r).toFixed(2)}× | ${r.ratio.median <= limit(r) ? 'yes' : '**no**'} |`,
      ),
      extra,
    ];
    return {
      title: '1. Request overhead',
      target: 'session.fetch ≤ 1.10×, session.client ≤ 1.05×',
      data: { calls: CALLS, trials: TRIALS, fetch: fetchResult, client: clientResult, timed: timedResult },
      markdown: [
        `Mock server in a separate process on 127.0.0.1. ${TRIALS} trials; each trial makes ${CALLS.toLocaleString('en')} calls per side in alternating blocks of ${BLOCK} (so machine load hits both sides alike), after a warm-up block. Every call reads and parses the JSON body. Times are per trial of ${CALLS.toLocaleString('en')} calls.`,
        '',
        ...table,
      ].join('\n'),
      met: fetchResult.ratio.median <= 1.1 && clientResult.ratio.median <= 1.05,
    };
  } finally {
    await server.close();
  }
}
