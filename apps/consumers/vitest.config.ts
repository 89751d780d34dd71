import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The everyday part (`pnpm test`): quick checks that need no generator run.
export default mergeConfig(shared, defineConfig({}));
