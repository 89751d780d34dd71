#!/usr/bin/env node
// `pnpm demo`: start the embedded TestMax simulator on a free loopback port and walk the real,
// built `testmax` binary through a whole session, printing each command and what it printed.
// Everything runs in a throw-away HOME, so your own login and config are never touched.
//
// `pnpm demo --keep`: the same, but the simulator keeps running afterwards (a process of its
// own), and the demo ends with the commands that use it from your shell, exactly as printed:
// its own directory, PATH with the clone's `bin/`, the simulator's URL, then `testmax …`,
// and the `kill` that stops the simulator.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { styleText } from 'node:util';
import { DEMO_USER, startMockServer } from '@testmax/mock-server';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
// TESTMAX_DEMO_BIN swaps in another program, for the demo's own test: one that exits 0 but
// prints the wrong things must make the demo fail.
const bin = process.env.TESTMAX_DEMO_BIN ?? join(import.meta.dirname, '..', 'bin', 'testmax.js');
const keep = process.argv.includes('--keep');
const colour = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (style, text) => (colour ? styleText(style, text) : text);

const jwt = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;

// Each step says what it must show (`shows`, checked by `check`), not only how it must exit: a
// step that exits 0 but prints the wrong thing (no accounts, something that is not a token)
// fails the demo.
const steps = [
  {
    args: ['ping'],
    why: 'Is the API up? (no credentials needed)',
    shows: 'the API is up',
    check: ({ stdout }) => /is up/.test(stdout) || 'it did not say the API is up',
  },
  {
    args: ['login', '--username', DEMO_USER.userName, '--api-key-stdin'],
    shown: `printf %s "$TESTMAX_API_KEY" | testmax login --username ${DEMO_USER.userName} --api-key-stdin`,
    stdin: DEMO_USER.apiKey,
    why: 'Log in: the key comes through a pipe, never as an argument; only the session token is cached.',
    shows: 'logged in, key not saved',
    check: ({ stdout }) =>
      (stdout.includes(`Logged in to`) && stdout.includes('The API key was not saved')) ||
      'it did not confirm the login',
  },
  {
    args: ['status'],
    why: 'Who is logged in, where each setting came from, when the token expires.',
    shows: 'the user, and the server accepts the token',
    check: ({ stdout }) =>
      (stdout.includes(DEMO_USER.userName) && /token accepted/.test(stdout)) ||
      'it did not show the user with an accepted token',
  },
  {
    args: ['accounts'],
    why: 'The first authenticated call, with the cached token.',
    shows: 'every demo account listed',
    check: ({ stdout }) =>
      DEMO_USER.accounts.every((account) => stdout.includes(account.name)) ||
      'not every demo account was listed',
  },
  {
    args: ['token'],
    shown: 'testmax token',
    mask: true,
    why: 'Print the token for scripts, e.g. curl -H "Authorization: Bearer $(testmax token)" …',
    shows: 'one JWT and nothing else',
    check: ({ stdout }) =>
      (jwt.test(stdout.trim()) && stdout.endsWith('\n') && stdout.trim().split('\n').length === 1) ||
      'it did not print exactly one JWT',
  },
  {
    args: ['validate'],
    why: 'Ask the server whether the token is still good.',
    shows: 'the token is accepted',
    check: ({ stdout }) => /accepted by/.test(stdout) || 'it did not say the token was accepted',
  },
  {
    args: ['logout'],
    why: 'Revoke the token on the server and delete the cached copy.',
    shows: 'the token was revoked',
    check: ({ stdout }) => /revoked and deleted/.test(stdout) || 'it did not say the token was revoked',
  },
  {
    args: ['status'],
    expect: 4,
    why: 'Logged out: status now exits 4 ("not logged in").',
    shows: 'not logged in',
    check: ({ stdout, stderr }) =>
      (/not logged in/.test(stdout) && /Not logged in/.test(stderr)) || 'it did not say "not logged in"',
  },
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

/**
 * The simulator for `--keep`: `testmax-mock` as a process of its own (a session of its own, so
 * neither the demo's exit nor a Ctrl-C in this terminal stops it), its output in a log file.
 */
async function startDetachedSimulator(home) {
  const log = join(home, 'simulator.log');
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'packages', 'mock-server', 'bin', 'testmax-mock.js'), '--port', '0'],
    { detached: true, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] },
  );
  child.unref();
  for (let waitedMs = 0; waitedMs < 30_000; waitedMs += 100) {
    const text = await readFile(log, 'utf8').catch(() => '');
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
    if (url) return { url, pid: child.pid, close: async () => process.kill(child.pid, 'SIGTERM') };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill();
  throw new Error(`the simulator did not start; its output is in ${log}`);
}

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
const shellWord = (text) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);

/** What to type to use the simulator the demo left running: shell lines, comments included. */
function keptCommands(home, server) {
  return [
    "# the demo's own directory (no .env of yours in the way), testmax from this clone:",
    `cd ${shellWord(home)}`,
    `export PATH=${shellWord(join(repoRoot, 'bin'))}:"$PATH"`,
    '# no config file, token cache or credentials of yours:',
    'export XDG_CONFIG_HOME="$PWD/.config" XDG_STATE_HOME="$PWD/.local/state"',
    'unset TESTMAX_API_KEY TESTMAX_CONFIG TESTMAX_PROFILE',
    '# the simulator and its demo user, whose key is fake and good only there:',
    `export TESTMAX_API_URL=${server.url} TESTMAX_USERNAME=${DEMO_USER.userName}`,
    `printf %s ${DEMO_USER.apiKey} | testmax login --api-key-stdin`,
    'testmax status',
    'testmax accounts',
    'testmax logout',
    '# stop the simulator, and clean up:',
    `kill ${server.pid} && rm -r ${shellWord(home)}`,
  ];
}

async function demo() {
  const home = await mkdtemp(join(tmpdir(), 'testmax-demo-'));
  const server = keep ? await startDetachedSimulator(home) : await startMockServer({ users: [DEMO_USER] });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TESTMAX_API_URL: server.url,
    // Your keychain is yours, not the demo's: on macOS and Windows no HOME can sandbox it.
    TESTMAX_KEYCHAIN: 'off',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(colour ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }),
  };
  let failures = 0;
  try {
    console.log(paint('bold', 'TestMax CLI demo'));
    console.log(`Simulator: ${server.url}  (demo user ${DEMO_USER.userName})`);
    console.log(
      keep
        ? `Each command runs with HOME=${home}, which is kept with the simulator.`
        : `Each command runs with HOME=${home} (thrown away at the end, with the simulator).`,
    );
    // The key the login step pipes in: the simulator's demo key, fake, good against it only.
    console.log(`TESTMAX_API_KEY=${DEMO_USER.apiKey} (the simulator's demo key)\n`);
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
      const verdict =
        result.code === expected ? step.check(result) : `exit ${result.code}, expected ${expected}`;
      if (verdict === true) {
        console.log(paint('green', `  ✓ exit ${result.code}: ${step.shows}\n`));
      } else {
        failures++;
        console.log(paint('red', `  ✗ ${verdict}\n`));
      }
    }
  } finally {
    if (!keep || failures > 0) {
      await server.close();
      await rm(home, { recursive: true, force: true });
    }
  }
  if (failures > 0) {
    console.log(paint('red', `${failures} step(s) failed.`));
    return 1;
  }
  if (keep) {
    console.log(
      paint('green', `All steps passed. The simulator keeps running (pid ${server.pid}) at ${server.url}.`),
    );
    console.log('To use it from your shell, type (or paste) these lines, exactly as they are:\n');
    for (const line of keptCommands(home, server)) console.log(`  ${line}`);
    return 0;
  }
  console.log(paint('green', 'All steps passed. The simulator has stopped.'));
  console.log('To type the commands yourself against a simulator that keeps running: pnpm demo --keep');
  console.log('Against the real API (its URL is the default):');
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
