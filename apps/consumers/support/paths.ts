import { createRequire } from 'node:module';
import { join } from 'node:path';

/** apps/consumers: where the package.json scripts run, as `pnpm run` runs them. */
export const PACKAGE_DIR = join(import.meta.dirname, '..');
/** The bundle other languages consume, resolved as a user's project would. */
export const SPEC_PATH = createRequire(import.meta.url).resolve('@testmax/spec/openapi.json');
export const WORKFLOW_PATH = createRequire(import.meta.url).resolve(
  '@testmax/spec/workflows/auth-flow.arazzo.yaml',
);
export const BIN_DIR = join(PACKAGE_DIR, 'node_modules', '.bin');
