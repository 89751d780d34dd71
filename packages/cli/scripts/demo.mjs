#!/usr/bin/env node
// `pnpm demo`: start the embedded TestMax simulator on a free loopback port and walk the real,
// built `testmax` binary through a whole session, printing each command and what it printed.
// Everything runs in a throw-away HOME, so your own login and config are never touched.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { styleText } from 'node:util';
import { DEMO_USER, startMockServer } from '@testmax/mock-server';

const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
const colour = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (style, text) => (colour ? styleText(style, text) : text);

const steps = [
  { args: ['ping'], why: 'Is the API up? (no credentials needed)' },
  {
    args: ['login', '--username', DEMO_USER.userName, '--api-key-stdin'],
    shown: `printf %s "$TESTMAX_API_KEY" | testmax login --username ${DEMO_USER.userName} --api-key-stdin`,
    stdin: DEMO_USER.apiKey,
    why: 'Log in: the key comes through a pipe, never as an argument; only the session token is cached.',
  },
  { args: ['status'], why: 'Who is logged in, where each setting came from, when the token expires.' },
  { args: ['accounts'], why: 'The first authenticated call, with the cached token.' },
  {
    args: ['token'],
    shown: 'testmax token',
    mask: true,
    why: 'Print the token for scripts, e.g. curl -H "Authorization: Bearer $(testmax token)" …',
  },
  { args: ['validate'], why: 'Ask the server whether the token is still good.' },
  { args: ['logout'], why: 'Revoke the token on the server and delete the cached copy.' },
  { args: ['status'], expect: 4, why: 'Logged out: status now exits 4 ("not logged in").' },
];

function run(args, env, stdin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

async function demo() {
  const home = await mkdtemp(join(tmpdir(), 'testmax-demo-'));
  const server = await startMockServer({ users: [DEMO_USER] });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TESTMAX_API_URL: server.url,
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(colour ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }),
  };
  let failures = 0;
  try {
    console.log(paint('bold', 'TestMax CLI demo'));
    console.log(`Simulator: ${server.url}  (demo user ${DEMO_USER.userName})`);
    console.log(`Commands run as: TESTMAX_API_URL=${server.url} HOME=${home} testmax …\n`);
    for (const [index, step] of steps.entries()) {
      const expected = step.expect ?? 0;
      console.log(paint('cyan', `[${index + 1}/${steps.length}] ${step.why}`));
      console.log(paint('bold', `  $ ${step.shown ?? `testmax ${step.args.join(' ')}`}`));
      const result = await run(step.args, env, step.stdin);
      let stdout = result.stdout;
      if (step.mask && result.code === 0) {
        const token = stdout.trim();
        stdout = `${token.slice(0, 12)}…   (${token.length} characters; masked here, printed in full by the real command)`;
      }
      if (stdout.trim()) console.log(indent(stdout));
      if (result.stderr.trim()) console.log(paint('dim', indent(result.stderr)));
      const ok = result.code === expected;
      if (!ok) failures++;
      console.log(
        ok
          ? paint('green', `  ✓ exit ${result.code}\n`)
          : paint('red', `  ✗ exit ${result.code} (expected ${expected})\n`),
      );
    }
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
  if (failures > 0) {
    console.log(paint('red', `${failures} step(s) failed.`));
    return 1;
  }
  console.log(paint('green', 'All steps passed. Point the same commands at the real API with:'));
  console.log(
    '  export TESTMAX_API_URL=https://api.test-max.com/api/topstep-sim   # or drop it: the default',
  );
  console.log('  printf %s "$YOUR_KEY" | testmax login --username you@example.com --api-key-stdin');
  return 0;
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  },
);
