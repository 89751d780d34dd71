import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The browser test builds the site (when no build is present) and drives a real Chromium.
export default mergeConfig(
  shared,
  defineConfig({ test: { testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false } }),
);
