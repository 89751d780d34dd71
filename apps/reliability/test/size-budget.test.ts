import { describe, expect, test } from 'vitest';
import { bundleSize, SDK_ENTRY } from '../src/size.mjs';

/**
 * Size budgets, in gzip bytes of a minified browser bundle (esbuild, the same measurement as
 * `pnpm bench`). Not a timing assertion: a bundle's size is deterministic.
 *
 * The target for auth + client + openapi-fetch is 6 kB; today's bundle is ~12.8 kB (see
 * bench/RESULTS.md for the breakdown and what would close the gap). Until then the budget is a
 * ratchet a little above today's size, so the SDK cannot quietly grow; lower it as it shrinks.
 * (Raised from 11.5 kB when option checking, safe-to-repeat retries, the logout-wins epochs
 * and the buffered `session.fetch` response with a real body for every runtime came in; raised
 * from 13 kB when the fleet work brought `createRateLimiter` (sliding window, FIFO, aborts,
 * pauses: +1.7 kB), `memoryTokenStore` and the store helpers (+0.5 kB), which DESIGN.md puts in
 * every session by default; then by about 2.7 kB for the hardening rules of issue 11 —
 * redirects refused or followed only within the API, the streamed response-size cap,
 * header-safe tokens, causes redacted as util.inspect shows them, hostile account names —
 * most of it the messages that say what happened and what to do; then by 100 B for
 * `createPublicFetch` (the session-less fetch `testmax api` uses for `Status/ping`) and the
 * session's `profile`; then by about 3 kB when issue 16
 * and the fleet wiring of issue 12 put the token store (the keeper's store link: lock, poll,
 * publish, fallback with a warning), the session's rate limiter (on by default, with its fallback
 * for a shared one that fails) and the parse-once client into every session; then by about
 * 1 kB for what the reviews and hostile trials of those found missing: rate-limit permits (a
 * place counts from when its request is over), a token published or adopted once a store
 * that failed at start-up answers again (and revoked on dispose when never shared), option
 * checks for `logoutOnDispose` and empty rules, headers too large named as such.)
 */
const SDK_BUDGET = 22_250;
const SDK_TARGET = 6_000;
/** createClient alone (openapi-fetch and the wrapper): what a bring-your-own-token app ships. */
const CLIENT_BUDGET = 3_000;

describe('bundle size budgets (esbuild, minified, gzip -9, browser conditions)', () => {
  test(`@testmax/auth + @testmax/client + openapi-fetch stay within ${SDK_BUDGET} B gzip`, async () => {
    const size = await bundleSize();
    console.log(`size: auth + client + openapi-fetch = ${size.gzip} B gzip (${size.minified} B minified)`);
    expect(size.gzip).toBeLessThanOrEqual(SDK_BUDGET);
  });

  test('the runtime-neutral entry pulls in no Node built-ins and no credentials-file code', async () => {
    const size = await bundleSize();
    expect(size.nodeBuiltins).toEqual([]);
    expect(
      size.inputs.filter((path) => /credentials|config-file|dotenv|permissions|node\.js$/.test(path)),
    ).toEqual([]);
    expect(size.inputs.some((path) => path.includes('openapi-fetch'))).toBe(true);
  });

  test(`createClient alone stays within ${CLIENT_BUDGET} B gzip`, async () => {
    const size = await bundleSize("export { createClient } from '@testmax/client';\n");
    expect(size.gzip).toBeLessThanOrEqual(CLIENT_BUDGET);
  });

  // The target, not met yet (reported): red once the SDK fits, then make it the budget.
  test.fails(`KNOWN GAP: auth + client + openapi-fetch within the ${SDK_TARGET} B gzip target`, async () => {
    expect((await bundleSize(SDK_ENTRY)).gzip).toBeLessThanOrEqual(SDK_TARGET);
  });
});
