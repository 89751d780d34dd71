// Stands in for `vitest` inside guide examples that are themselves tests: it collects their
// `test(...)` calls so the docs test can run them, with vitest's real `expect`.
export { expect } from 'vitest';

type Body = () => Promise<void> | void;
export const collected: { name: string; body: Body }[] = [];

export function test(name: string, body: Body): void {
  collected.push({ name, body });
}
