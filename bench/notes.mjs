// The closing note of RESULTS.md: for every target, met or not, and if not, what would close
// the gap. Every number comes from this run; the explanations describe the code as it is (where
// they rest on a profile, the note says so and names what was profiled).
import { fmt } from './lib/stats.mjs';

const byTitle = (results, prefix) => results.find((r) => r.title.startsWith(prefix));

function overheadNote(overhead) {
  const { fetch, client, timed, calls } = overhead.data;
  const perCall = (r) => ((r.ours.median - r.baseline.median) / calls) * 1000;
  const timeoutCost = perCall(fetch) - perCall(timed);
  const lines = [
    `**Request overhead — ${overhead.met ? 'met' : 'not met'}.** \`session.fetch\` ${fmt.ratio(fetch.ratio.median)}, \`session.client\` ${fmt.ratio(client.ratio.median)} against the 1.10× target: about ${perCall(fetch).toFixed(0)} µs more per call than a bare \`fetch\` with a static header (${perCall(client).toFixed(0)} µs for the typed client against a bare openapi-fetch client).`,
    `The bare \`fetch\` has no timeout; \`session.fetch\` gives every attempt one, as the design requires, through an \`AbortSignal\` — and undici registers each request's signal (a listener, a \`WeakRef\` and a \`FinalizationRegistry\` entry), which is most of the difference: against a bare \`fetch\` with \`AbortSignal.timeout(15 s)\`, the like-for-like row, \`session.fetch\` is ${fmt.ratio(timed.ratio.median)} (about ${perCall(timed).toFixed(0)} µs a call; the timeout itself accounts for about ${Math.max(0, timeoutCost).toFixed(0)} µs).`,
    'Per call the session also resolves the URL, takes the current token (no I/O while it is fresh), reads the answer into memory inside the attempt (so the timeout covers the body and a cut body is retried), checks a small JSON answer from the endpoints that use it for the refused-token envelope (a byte scan for `"success": false` first, so a success is never parsed twice), and hands back a real `Response` built on those bytes, whose `json()`/`text()` decode the bytes in memory instead of reading a second stream. Building that `Response` costs one more `ReadableStream` (several µs on Node 20); a `Response` without a real internal body would be cheaper but would reach a service worker’s `respondWith`, `cache.put` or `Deno.serve` empty.',
  ];
  if (!overhead.met) {
    lines.push(
      'What would close the rest: in Node, timeouts at the connection level (an undici `Agent` with `headersTimeout`/`bodyTimeout` as the session’s dispatcher) instead of a signal per attempt — it would bring `session.fetch` to about the like-for-like ratio above, but needs undici as a dependency and works only for Node’s built-in `fetch`, not a `fetch` the caller passes in. (Measured while writing this note: the same run on Node 24 gives about the same ratios, so this is not only Node 20’s slow web streams.)',
    );
  }
  return lines;
}

function herdNote(herd) {
  const { callers, cold, expired } = herd.data;
  const perCaller = (heap) => (heap.median / callers / 1000).toFixed(1);
  return [
    `**Thundering herd — ${herd.met ? 'met' : 'not met'}.** ${callers.toLocaleString('en')} concurrent callers cause exactly ${cold.logins} login on a cold session and ${expired.logins} on an expired one. Not a target, but worth knowing: each waiting caller costs about ${perCaller(cold.oursHeap)} kB of heap against ${perCaller(cold.baselineHeap)} kB for the hand-written floor, because every \`getSessionToken()\` is an async function awaiting another; returning the in-flight login promise itself when no \`signal\` is given would bring it to the floor.`,
  ];
}

function startupNote(startup) {
  const v = startup.data.version;
  const lines = [
    `**CLI start-up — ${startup.met ? 'met' : 'not met'}.** \`testmax --version\` takes ${fmt.ratio(v.ratio.median)} the time of \`node -e 0\` (target 1.5×): about ${fmt.ms(v.ours.median - v.baseline.median)} ms on top of Node's own ${fmt.ms(v.baseline.median)} ms. The binary answers a lone \`--version\` from \`package.json\` before it loads the parser or any command, so what is left is loading two small modules and reading one file.`,
  ];
  if (!startup.met) {
    lines.push(
      'What would close it: on Node ≥ 22.1, `module.enableCompileCache()` in the binary so every start reads cached bytecode; on Node 20 only a smaller entry module can help.',
    );
  }
  lines.push(
    '`testmax ping` is compared with a one-line script doing the same `fetch`; its extra time is loading @testmax/auth, commander and the command.',
  );
  const api = startup.data.apiVsPing;
  if (api) {
    lines.push(
      `\`testmax api Status/ping\` takes ${fmt.ratio(api.ratio.median)} the time of \`testmax ping\` (target 1.3×): the spec's request validators are compiled ahead of time and loaded only when a body is checked, and the operation table is a few kB.`,
    );
  }
  return lines;
}

function sizeNote(size) {
  const [sdk, sessionOnly, clientOnly, openapiFetch] = size.data.bundles;
  const { withoutMessages, targetGzip, enforcedBudget, footprint } = size.data;
  const authCode = withoutMessages.gzip - openapiFetch.gzip;
  const lines = [
    `**Size — ${size.met ? 'met' : 'not met'}.** auth + client + openapi-fetch is ${fmt.kB(sdk.gzip)} gzip against the ${fmt.kB(targetGzip)} target. openapi-fetch alone is ${fmt.kB(openapiFetch.gzip)}, and \`AuthSession\` alone already pulls it in (${fmt.kB(sessionOnly.gzip)}) because \`session.client\` — part of the contract, and synchronous — needs \`createClient\`; the client wrapper adds only ${fmt.kB(clientOnly.gzip - openapiFetch.gzip)}. Message text is ${fmt.kB(sdk.gzip - withoutMessages.gzip)} of it (measured in this run by stripping it), so even with no messages at all the bundle would be ${fmt.kB(withoutMessages.gzip)}: the auth code itself is about ${fmt.kB(authCode)}, for the token lifecycle, single-flight, retries with \`Retry-After\`, timeouts and aborts, the 401-in-either-form handling, \`fetch\`/middleware/client, option checking, the error hierarchy and redaction.`,
  ];
  if (!size.met) {
    lines.push(
      `The ${fmt.kB(targetGzip)} target cannot be reached by trimming: it leaves about ${fmt.kB(targetGzip - openapiFetch.gzip)} for all of auth. What would get close, each a trade-off for the team to decide: (1) a \`@testmax/auth/client\` entry with \`createAuthenticatedClient(session)\` instead of the \`session.client\` getter, so apps that use \`session.fetch\` ship no openapi-fetch (−${fmt.kB(openapiFetch.gzip)}; a contract change); (2) the less used members (\`accounts\`/\`accountInfo\`, \`ping\`, the middleware) as tree-shakeable functions beside a smaller class; (3) error messages reduced to a code and a short fact, with the advice in the docs keyed by \`error.code\` (up to −${fmt.kB(sdk.gzip - withoutMessages.gzip)}, against the issue's "what to do" in every message). Until then CI enforces a ratchet of ${fmt.kB(enforcedBudget)}, so the bundle cannot grow unnoticed, and the ${fmt.kB(targetGzip)} target is a \`test.fails\` in \`apps/reliability/test/size-budget.test.ts\` that turns red when it is reached.`,
    );
  }
  lines.push(
    '',
    `The CLI's installed footprint (${footprint.packages.length} packages, ${fmt.kB(footprint.bytes)}) is mostly published extras: @testmax/auth and @testmax/client ship \`src/\`, source maps and declaration maps next to \`dist/\` (so "go to definition" lands in the TypeScript source), and openapi-fetch ships CJS, ESM and minified copies. Leaving \`src\` and the maps out of \`files\` would roughly halve the SDK's share, at the price of that navigation.`,
  );
  return lines;
}

function longRunNote(long) {
  const o = long.data.ours;
  return [
    `**Long run — ${long.met ? 'met' : 'not met'}.** ${o.served.toLocaleString('en')} of ${long.data.requests.toLocaleString('en')} requests served with ${o.failures} failures through a day of 1-hour tokens, injected 503s, dropped connections and a mass revocation (${o.logins} logins, ${o.refreshes} refreshes); the static-token baseline failed ${long.data.baseline.failures.toLocaleString('en')} times. Heap after GC rose ${fmt.MB(o.heapGrowth)} from hour 1 to 24, ${fmt.MB(o.heapGrowthSecondHalf)} of it in the second half: flat within measurement noise (V8 code and feedback caches still settle); a per-request leak of even 100 bytes would show 0.4 MB there.`,
  ];
}

export function closingNote(results) {
  const out = ['## Closing note: targets and gaps', ''];
  for (const [prefix, note] of [
    ['1.', overheadNote],
    ['2.', herdNote],
    ['3.', startupNote],
    ['4.', sizeNote],
    ['5.', longRunNote],
  ]) {
    const result = byTitle(results, prefix);
    if (result) out.push(...note(result), '');
  }
  return out.join('\n');
}
