import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    // The sources are tested as they are: `#platform` is the Node one (package.json maps it to
    // dist/ for users, by export condition).
    resolve: { alias: { '#platform': fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) } },
    test: { setupFiles: ['test/helpers/setup.ts'] },
  }),
);
