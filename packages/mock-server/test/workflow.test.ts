import { fileURLToPath } from 'node:url';
import { runCommand } from '@testmax/test-support/run-node';
import { describe, expect, it } from 'vitest';
import { DEMO_USER, startMockServer } from '../src/index.js';

// The Arazzo workflow in spec/ is the executable contract: `redocly respect` must run it green
// against the simulator, checking status codes, success flags and every response schema.
const WORKFLOW = fileURLToPath(new URL('../../../spec/workflows/auth-flow.arazzo.yaml', import.meta.url));
const WORKFLOWS_DIR = fileURLToPath(new URL('../../../spec/workflows/', import.meta.url));
const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));
const SPEC_DIR = fileURLToPath(new URL('../../../spec/', import.meta.url));
// The spec's own lint: fails on warnings too, which `redocly lint` alone reports with exit 0.
const STRICT_LINT = fileURLToPath(new URL('../../../spec/scripts/lint.mjs', import.meta.url));

async function redocly(args: string[], cwd = WORKFLOWS_DIR, command = REDOCLY) {
  const { code, stdout, stderr } = await runCommand(command, args, {
    cwd,
    env: {
      ...process.env,
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      NO_COLOR: '1',
    },
    // A whole Arazzo run on a loaded machine; a hung one is killed, not waited on.
    killAfterMs: 120_000,
  });
  return { code, output: `${stdout}\n${stderr}` };
}

const respect = (url: string, apiKey: string, workflows: string[] = []) =>
  redocly([
    'respect',
    WORKFLOW,
    ...workflows.flatMap((id) => ['--workflow', id]),
    '--server',
    `testmax=${url}`,
    '--input',
    `userName=${DEMO_USER.userName}`,
    '--input',
    `apiKey=${apiKey}`,
  ]);

describe('spec/workflows/auth-flow.arazzo.yaml', () => {
  it('passes `redocly lint` with no errors and no warnings', async () => {
    const { code, output } = await redocly([STRICT_LINT, WORKFLOW], SPEC_DIR, process.execPath);
    expect(output).toContain('redocly lint: 0 errors, 0 warnings in 1 file(s)');
    expect(code).toBe(0);
  });

  it('authFlow runs green with `redocly respect` against the simulator, which sees every step', async () => {
    await using server = await startMockServer();
    const { code, output } = await respect(server.url, DEMO_USER.apiKey, ['authFlow']);
    expect(output).toMatch(/Workflows: 1 passed, 1 total/);
    expect(code).toBe(0);
    for (const path of [
      '/Status/ping',
      '/Auth/loginKey',
      '/Auth/validate',
      '/Account/search',
      '/Auth/logout',
    ]) {
      expect(server.calls(path), path).toBe(1);
    }
  });

  it('all workflows (auth flow, revoked token, wrong key) run green', async () => {
    await using server = await startMockServer();
    const { code, output } = await respect(server.url, DEMO_USER.apiKey);
    expect(output).toMatch(/Workflows: 3 passed, 3 total/);
    expect(code).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(3);
    expect(server.calls('/Account/search')).toBe(2);
    expect(server.calls('/Auth/logout')).toBe(2);
  });

  it('authFlow fails, stopping at login, when the credentials are wrong', async () => {
    await using server = await startMockServer();
    const { code, output } = await respect(server.url, 'tmx_wrong_key_7f3a', ['authFlow']);
    expect(code).not.toBe(0);
    expect(output).not.toContain('tmx_wrong_key_7f3a');
    expect(output).toMatch(/Workflows: 1 failed/);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Account/search')).toBe(0);
  });
});
