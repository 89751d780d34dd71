/**
 * Guards every suite that drives the SDK puts around its tests: no promise rejection may go
 * unhandled, and no secret may appear in anything shown.
 */
import { afterAll, expect } from 'vitest';

export interface UnhandledRejections {
  /** The rejections that went unhandled since the last `take()` (and forgets them). */
  take(): unknown[];
}

/**
 * Collect unhandled rejections while a file runs, so a test (a fault cell) can assert there were
 * none at a point of its choosing: vitest reports them too, but not which test caused them.
 */
export function trackUnhandledRejections(): UnhandledRejections {
  const { take, stop } = listen();
  afterAll(stop);
  return { take };
}

/** Fail the file if any promise rejection went unhandled while it ran. */
export function guardUnhandledRejections(): void {
  const { take, stop } = listen();
  afterAll(async () => {
    // Give stray promises of the last test a chance to surface before checking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(take().map((r) => String(r))).toEqual([]);
  });
}

function listen(): UnhandledRejections & { stop(): void } {
  let seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
    stop: () => process.off('unhandledRejection', listener),
  };
}

/**
 * Every text of `shown` that holds one of `secrets`: its number and first 200 characters, each
 * secret in it masked (`‹secret #2, 40 characters›`), so a failing test names the leak without
 * printing the secret again.
 */
export function leaksIn(shown: Iterable<string>, secrets: Iterable<string>): string[] {
  const list = [...new Set(secrets)].filter((secret) => secret.length > 0);
  const leaks: string[] = [];
  let index = 0;
  for (const text of shown) {
    if (list.some((secret) => text.includes(secret))) {
      let masked = text;
      list.forEach((secret, n) => {
        masked = masked.replaceAll(secret, `‹secret #${n + 1}, ${secret.length} characters›`);
      });
      leaks.push(`output #${index}: ${masked.slice(0, 200)}`);
    }
    index += 1;
  }
  return leaks;
}
