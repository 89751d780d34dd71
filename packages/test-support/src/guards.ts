/**
 * Guards every suite that drives the SDK puts around its tests: no promise rejection may go
 * unhandled, and no secret may appear in anything shown.
 */
import { afterAll, expect } from 'vitest';

/** Fail the file if any promise rejection went unhandled while it ran. */
export function guardUnhandledRejections(): void {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  afterAll(async () => {
    // Give stray promises of the last test a chance to surface before checking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', listener);
    expect(seen.map((r) => String(r))).toEqual([]);
  });
}

/** Every text of `shown` that holds one of `secrets` (its first 200 characters). */
export function leaksIn(shown: Iterable<string>, secrets: Iterable<string>): string[] {
  const list = [...secrets].filter((secret) => secret.length > 0);
  const leaks: string[] = [];
  for (const text of shown) if (list.some((secret) => text.includes(secret))) leaks.push(text.slice(0, 200));
  return leaks;
}
