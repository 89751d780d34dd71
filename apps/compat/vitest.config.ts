import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// These tests pack, install from npm, type-check and start browsers: minutes, not milliseconds,
// on a shared 2-core machine. One file at a time keeps them from starving each other.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 240_000,
      hookTimeout: 600_000,
      fileParallelism: false,
    },
  }),
);
