import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEMO_USER } from '@testmax/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckedSimulator, startCheckedSimulator } from '../support/checked-simulator.js';
import { WORKFLOW_PATH } from '../support/paths.js';

// An independent contract check: Stoplight's Prism, as a validating proxy in front of the
// simulator, checks every request and answer against the spec while the Arazzo workflows run
// (the consumers' suites run behind it too). First the positive controls: Prism must catch a bad
// answer, or its silence proves nothing.

const REDOCLY = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  'bin',
  'cli.js',
);

let simulator: CheckedSimulator;
beforeAll(async () => {
  simulator = await startCheckedSimulator();
});
afterAll(async () => {
  await simulator?.close();
});

describe('Prism in front of the simulator catches', () => {
  it('an answer that breaks the spec (an envelope without errorCode), and says so', async () => {
    await simulator.takeViolations();
    simulator.server.inject('/Status/ping', { status: 200, body: '{"success":true,"errorMessage":null}' });
    const res = await fetch(`${simulator.url}/Status/ping`);
    // --errors: the client gets Prism's 500, naming the violation, instead of the bad answer.
    expect(res.status).toBe(500);
    expect(res.headers.get('sl-violations')).toContain("must have required property 'errorCode'");
    expect((await simulator.takeViolations()).join('\n')).toMatch(/VIOLATIONS/);
  });

  it('a status the spec does not declare (a 501)', async () => {
    await simulator.takeViolations();
    simulator.server.inject('/Status/ping', { status: 501 });
    await (await fetch(`${simulator.url}/Status/ping`)).text();
    expect((await simulator.takeViolations()).join('\n')).toMatch(/returned 501/);
  });

  it('a request that breaks the spec (a field Account/search does not take)', async () => {
    await simulator.takeViolations();
    const res = await fetch(`${simulator.url}/Account/search`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: '{"onlyActive":true}',
    });
    expect(res.status).toBe(422);
    expect((await simulator.takeViolations()).join('\n')).toMatch(/UNPROCESSABLE_ENTITY/);
  });

  it('and passes the answers the spec declares for faults: 503 with Retry-After, 429, 504, bare 401', async () => {
    await simulator.takeViolations();
    simulator.server.inject('/Status/ping', { status: 503, headers: { 'Retry-After': '2' } });
    simulator.server.inject('/Status/ping', { status: 429 });
    simulator.server.inject('/Status/ping', { status: 504 });
    for (const status of [503, 429, 504]) {
      expect((await fetch(`${simulator.url}/Status/ping`)).status).toBe(status);
    }
    const res = await fetch(`${simulator.url}/Account/search`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: '{"onlyActiveAccounts":null}',
    });
    expect(res.status).toBe(401);
    expect(await simulator.takeViolations()).toEqual([]);
  });
});

describe('the Arazzo workflows through Prism', () => {
  it('run green (auth flow, revoked token, wrong key) with no violation', async () => {
    simulator.server.resetCalls();
    await simulator.takeViolations();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          REDOCLY,
          'respect',
          WORKFLOW_PATH,
          '--server',
          `testmax=${simulator.url}`,
          '--input',
          `userName=${DEMO_USER.userName}`,
          '--input',
          `apiKey=${DEMO_USER.apiKey}`,
        ],
        {
          env: {
            ...process.env,
            REDOCLY_TELEMETRY: 'off',
            REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            NO_COLOR: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, output: text }));
    });
    expect(output).toMatch(/Workflows: 3 passed, 3 total/);
    expect(code).toBe(0);
    // Every step went through Prism to the simulator.
    expect(simulator.server.calls('/Auth/loginKey')).toBe(3);
    expect(simulator.server.calls('/Account/search')).toBe(2);
    expect(await simulator.takeViolations()).toEqual([]);
  });
});
