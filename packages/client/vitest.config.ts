import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// `vitest run --typecheck` compiles the *.test-d.ts files; the shared include only has *.test.ts.
export default mergeConfig(
  shared,
  defineConfig({ test: { typecheck: { include: ['test/**/*.test-d.ts'] } } }),
);
