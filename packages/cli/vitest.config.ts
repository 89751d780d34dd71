import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      // Every test spawns Node processes; on a loaded 2-core machine they can be slow to start.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // Two files at a time even on 2 cores (vitest's default there is one): a file spends most
      // of its time waiting on the processes it spawns, and each file has its own simulator and
      // HOME, so they cannot see each other.
      maxWorkers: 2,
    },
  }),
);
