import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The matrix starts real servers and CLI processes; one file at a time keeps a shared 2-core
// machine from turning injected timeouts into real ones.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      fileParallelism: false,
      globalSetup: ['test/global-setup.ts'],
    },
  }),
);
