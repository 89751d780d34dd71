import { DEMO_USER, type Fault, type MockServer, startMockServer } from '@testmax/mock-server';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { CliSandbox } from './helpers/cli.js';
import { recordCount } from './helpers/counts.js';
import { accountSearch, type Endpoint, loginKey, logout, ping, validate } from './helpers/endpoints.js';
import {
  CELL_TIMEOUT_MS,
  type FaultCase,
  type FaultContext,
  persistent,
  RETRYABLE,
  TERMINAL,
} from './helpers/faults.js';
import type { Mode } from './helpers/outcomes.js';

/** DESIGN.md exit codes. */
const OK = 0;
const ERROR = 1;
const AUTH_FAILED = 3;
const UNAVAILABLE = 5;

const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

let server: MockServer | undefined;
let sandbox: CliSandbox | undefined;
let cells = 0;

afterEach(async () => {
  await server?.close();
  await sandbox?.dispose();
  server = undefined;
  sandbox = undefined;
});
afterAll(() => {
  recordCount('cli-matrix', { cliCells: cells });
  console.log(`fault matrix (CLI): ${cells} cells`);
});

interface CliCell {
  command: string;
  endpoint: Endpoint;
  fault: FaultCase;
  mode: Mode;
  exitCode: number;
  json: boolean;
}

const byName = new Map([...RETRYABLE, ...TERMINAL].map((fault) => [fault.name, fault]));
function fault(name: string): FaultCase {
  const found = byName.get(name);
  if (!found) throw new Error(`no fault named ${name}`);
  return found;
}

/** `testmax ping` meets every fault: the retryable ones once (exit 0) and for good. */
function pingCells(): CliCell[] {
  const cells: CliCell[] = [];
  for (const f of RETRYABLE) {
    cells.push({ command: 'ping', endpoint: ping, fault: f, mode: 'once', exitCode: OK, json: false });
    cells.push({
      command: 'ping',
      endpoint: ping,
      fault: f,
      mode: 'persistent',
      exitCode: UNAVAILABLE,
      json: false,
    });
  }
  for (const f of TERMINAL) {
    // A 401 or "subscription required" is an authentication failure wherever it comes from.
    const exitCode =
      f.name === 'wrong content-type'
        ? OK
        : f.name === 'bare 401' || f.name === 'success:false code 9'
          ? AUTH_FAILED
          : ERROR;
    cells.push({ command: 'ping', endpoint: ping, fault: f, mode: 'once', exitCode, json: false });
  }
  return cells;
}

/** A representative subset for the authenticated commands, in --json mode. */
const SUBSET: [string, Endpoint, string, Mode, number][] = [
  ['login', loginKey, 'success:false code 1', 'once', AUTH_FAILED],
  ['login', loginKey, 'success:false code 3', 'once', AUTH_FAILED],
  ['login', loginKey, 'success:false code 9', 'once', AUTH_FAILED],
  ['login', loginKey, 'success:false code 99', 'once', ERROR],
  ['login', loginKey, 'bare 401', 'once', AUTH_FAILED],
  ['login', loginKey, 'truncated JSON', 'once', ERROR],
  ['login', loginKey, 'HTML page with 200', 'once', ERROR],
  ['login', loginKey, '503', 'once', OK],
  ['login', loginKey, '502 HTML page', 'persistent', UNAVAILABLE],
  ['login', loginKey, 'timeout', 'persistent', UNAVAILABLE],
  ['login', loginKey, 'dropped connection', 'persistent', UNAVAILABLE],
  ['login', loginKey, '429 Retry-After seconds', 'persistent', UNAVAILABLE],
  ['validate', validate, 'success:false code 3', 'once', AUTH_FAILED],
  ['validate', validate, 'body-401', 'once', AUTH_FAILED],
  ['validate', validate, 'bare 401', 'once', AUTH_FAILED],
  ['validate', validate, 'success:false code 99', 'once', ERROR],
  ['validate', validate, 'truncated JSON', 'once', ERROR],
  ['validate', validate, '500', 'once', OK],
  ['validate', validate, '502 HTML page', 'persistent', UNAVAILABLE],
  ['validate', validate, 'timeout', 'persistent', UNAVAILABLE],
  ['accounts', accountSearch, 'success:false code 9', 'once', AUTH_FAILED],
  ['accounts', accountSearch, 'success:false code 99', 'once', ERROR],
  ['accounts', accountSearch, 'bare 401', 'once', OK],
  ['accounts', accountSearch, 'bare 401', 'persistent', AUTH_FAILED],
  ['accounts', accountSearch, 'body-401', 'persistent', AUTH_FAILED],
  ['accounts', accountSearch, 'empty body', 'once', ERROR],
  ['accounts', accountSearch, 'truncated JSON', 'once', ERROR],
  ['accounts', accountSearch, '504', 'once', OK],
  ['accounts', accountSearch, '502 HTML page', 'persistent', UNAVAILABLE],
  ['accounts', accountSearch, 'dropped connection', 'persistent', UNAVAILABLE],
  ['accounts', accountSearch, '429 Retry-After http-date', 'persistent', UNAVAILABLE],
  ['accounts', accountSearch, '408', 'persistent', UNAVAILABLE],
  ['logout', logout, 'bare 401', 'once', OK],
  ['logout', logout, 'success:false code 99', 'once', ERROR],
  ['logout', logout, 'truncated JSON', 'once', ERROR],
  ['logout', logout, '503', 'once', OK],
  ['logout', logout, '502 HTML page', 'persistent', UNAVAILABLE],
  ['logout', logout, 'timeout', 'persistent', UNAVAILABLE],
];

const CELLS: CliCell[] = [
  ...pingCells(),
  ...SUBSET.map(([command, endpoint, name, mode, exitCode]) => ({
    command,
    endpoint,
    fault: fault(name),
    mode,
    exitCode,
    json: true,
  })),
];

function title(cell: CliCell): string {
  const twoModes = cell.fault.retryable || cell.mode === 'persistent' || cell.fault.name.includes('401');
  const faultName = twoModes ? `${cell.fault.name} ${cell.mode}` : cell.fault.name;
  return `testmax ${cell.command}${cell.json ? ' --json' : ''} × ${faultName} → exit ${cell.exitCode}`;
}

async function seedToken(url: string): Promise<string> {
  const response = await fetch(`${url}/Auth/loginKey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function runCell(cell: CliCell): Promise<void> {
  cells++;
  server = await startMockServer();
  sandbox = await CliSandbox.create();
  const env: Record<string, string> = {
    TESTMAX_USERNAME: DEMO_USER.userName,
    TESTMAX_API_KEY: DEMO_USER.apiKey,
    TESTMAX_API_URL: server.url,
    TESTMAX_TIMEOUT_MS: String(CELL_TIMEOUT_MS),
    ...(cell.mode === 'persistent' ? { TESTMAX_RETRIES: '1' } : {}),
  };
  let token: string | undefined;
  if (cell.command === 'logout') {
    const login = await sandbox.run(['login'], env);
    expect(login.code, login.stderr).toBe(OK);
    token = (await sandbox.cachedTokens())[0];
    expect(token).toBeDefined();
  }
  const seed = await seedToken(server.url);
  const context: FaultContext = {
    apiKey: DEMO_USER.apiKey,
    token,
    successBody: cell.endpoint.successBody({
      session: undefined as never,
      token: token ?? seed,
      seedToken: seed,
      baseUrl: server.url,
      options: {},
    }),
  };
  const injected: Fault = cell.mode === 'once' ? cell.fault.make(context) : persistent(cell.fault, context);
  server.resetCalls();
  server.inject(cell.endpoint.path, injected);

  const args = [cell.command, ...(cell.json ? ['--json'] : [])];
  const result = await sandbox.run(args, env);
  const output = `${result.stdout}\n${result.stderr}`;
  const context_ = `testmax ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;

  expect(result.code, context_).toBe(cell.exitCode);
  expect(output.includes(DEMO_USER.apiKey), 'the API key leaked').toBe(false);
  expect(JWT.test(output), 'a token leaked').toBe(false);
  expect(output, 'a stack trace was printed').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  if (cell.exitCode !== OK) {
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errorLines, context_).toHaveLength(1);
  }
  if (cell.json) {
    const document = JSON.parse(result.stdout) as { ok: boolean; error?: { exitCode: number } };
    expect(document.ok).toBe(cell.exitCode === OK);
    if (cell.exitCode !== OK) expect(document.error?.exitCode).toBe(cell.exitCode);
  }
  if (cell.command === 'logout') {
    // When the server could not be reached the token may still be valid there: the local copy
    // is kept so `logout` can be run again. Whatever else it said, the copy is gone.
    expect(await sandbox.cachedTokens()).toEqual(cell.exitCode === UNAVAILABLE ? [token] : []);
  }
  const calls = server.calls(cell.endpoint.path);
  if (cell.mode === 'once' && cell.fault.retryable) expect(calls, 'retried once').toBe(2);
}

describe('testmax CLI under faults', () => {
  test.each(CELLS.map((cell) => [title(cell), cell] as const))('%s', (_title, cell) => runCell(cell), 30_000);
});
