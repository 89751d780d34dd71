/**
 * Runs before every test file (vitest `setupFiles`): whatever the file prints — console output
 * of any level, process warnings, stdout/stderr writes — lands in `shown`, and when the file
 * ends nothing shown may contain the demo key or any token the file met. Files need not opt
 * in, so a new test file cannot forget the leak scan.
 */
import { inspect } from 'node:util';
import { DEMO_USER } from '@testmax/mock-server';
import { afterAll, expect } from 'vitest';
import { addSecret, findLeaks, shown } from './capture.js';

addSecret(DEMO_USER.apiKey);

const text = (args: unknown[]) =>
  args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' ');

for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[level];
  console[level] = (...args: unknown[]) => {
    shown.push(text(args));
    original.apply(console, args);
  };
}

const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  shown.push(typeof warning === 'string' ? warning : inspect(warning));
  return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    shown.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}

afterAll(() => {
  expect(findLeaks()).toEqual([]);
});
