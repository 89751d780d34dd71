import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_USER, type MockServer, startMockServer } from '@testmax/mock-server';
import { runCommand } from '@testmax/test-support/run-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Example, examplesIn } from './support/examples.js';
import { repoRoot } from './support/site.js';

// Getting started, followed as a newcomer follows it: the packages packed in this clone as the
// guide says, a new project made by `npm init -y` (CommonJS, npm's default), the guide's
// commands run as printed in a shell, its examples saved under the names it gives them and run
// the way it says, against a real simulator. Slow (npm installs), so in `test:slow`.

type Run = { code: number | null; stdout: string; stderr: string };

let work: string;
let project: string;
let server: MockServer;
let env: NodeJS.ProcessEnv;
let guide: Map<string, Example>;
let setup: Run;

function sh(script: string, cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  // Installs and builds included; a hung step is killed, not waited on for ever.
  return runCommand('sh', ['-e', '-c', script], { cwd, env: { ...env, ...extra }, killAfterMs: 600_000 });
}

function block(name: string): Example {
  const found = guide.get(name);
  if (!found) throw new Error(`no example "${name}" in guide/getting-started.md`);
  return found;
}

/** The file name an example gives itself on its first line (`// first-call.ts`). */
function fileNameOf(example: Example): string {
  const name = /^\/\/ ([\w.-]+\.[cm]?[jt]s)$/m.exec(example.code.split('\n')[0] ?? '')?.[1];
  if (!name) throw new Error(`the example does not name its file:\n${example.code}`);
  return name;
}

const credentials = () => ({
  TESTMAX_USERNAME: DEMO_USER.userName,
  TESTMAX_API_KEY: DEMO_USER.apiKey,
  TESTMAX_API_URL: server.url,
});

beforeAll(async () => {
  guide = await examplesIn('guide/getting-started.md');
  work = await mkdtemp(join(tmpdir(), 'testmax-guide-project-'));
  server = await startMockServer();
  env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TESTMAX_')));
  Object.assign(env, {
    HOME: work,
    XDG_CONFIG_HOME: join(work, '.config'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // The machine's npm cache, so a second run downloads nothing again.
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
  });
  // "In the clone" (this repository), then "in your project", in one shell as a reader would
  // type them one after the other.
  setup = await sh(
    [
      `cd ${JSON.stringify(repoRoot)}`,
      block('clone-pack').code,
      `cd ${JSON.stringify(work)}`,
      block('project-setup').code,
    ].join('\n'),
    work,
  );
  project = join(work, 'my-bot');
}, 600_000);

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('getting started, in a project made by npm init -y', () => {
  test('the install steps run as printed: the packages come from this clone, the project is ES modules', async () => {
    expect(setup.code, setup.stdout + setup.stderr).toBe(0);
    // pack:public said what it packed: the public packages, and only them.
    // The repository's own list (scripts/workspace.mjs, outside this package's sources).
    const workspace = pathToFileURL(join(repoRoot, 'scripts', 'workspace.mjs')).href;
    const { publicPackages } = (await import(workspace)) as { publicPackages: () => unknown[] };
    expect(setup.stdout).toContain(`Packed ${publicPackages().length} public packages`);
    expect(setup.stdout).not.toMatch(/@testmax\/(docs|compat|reliability|test-support)/);
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies['@testmax/auth']).toMatch(/packed\/testmax-auth\.tgz$/);
    expect(manifest.dependencies['@testmax/client']).toMatch(/packed\/testmax-client\.tgz$/);
  });

  test('the first program runs with the command the guide gives, and lists the accounts', async () => {
    const example = block('first-call');
    await writeFile(join(project, fileNameOf(example)), example.code);
    const result = await sh(block('run-first-call').code, project, credentials());
    expect(result.code, result.stderr).toBe(0);
    const tradable = DEMO_USER.accounts.filter((a) => a.canTrade).map((a) => `${a.name}: ${a.balance} USD`);
    expect(result.stdout.trim().split('\n')).toEqual([...tradable, 'ping: true']);
    expect(result.stdout + result.stderr).not.toContain(DEMO_USER.apiKey);
  });

  test('the plain JavaScript variant runs with node, as the guide says', async () => {
    const example = block('plain-js');
    expect(fileNameOf(example)).toMatch(/\.mjs$/);
    await writeFile(join(project, fileNameOf(example)), example.code);
    const logouts = server.calls('/Auth/logout');
    const result = await sh(block('run-plain-js').code, project, credentials());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(DEMO_USER.accounts[0]!.name);
    expect(server.calls('/Auth/logout')).toBe(logouts + 1);
  });

  test('the home page example runs in the same project', async () => {
    const home = (await examplesIn('index.md')).get('home');
    await writeFile(join(project, 'home.ts'), home!.code);
    const result = await sh('npx tsx home.ts', project, credentials());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(DEMO_USER.accounts.map((a) => `${a.name} ${a.balance}`));
  });

  test('what the guide says of a CommonJS project holds: top-level await fails in .ts, works in .mts', async () => {
    const example = block('first-call');
    await writeFile(join(project, 'first-call.mts'), example.code);
    const commonjs = await sh('npm pkg set type=commonjs', project);
    expect(commonjs.code, commonjs.stderr).toBe(0);
    try {
      const ts = await sh('npx tsx first-call.ts', project, credentials());
      expect(ts.code).not.toBe(0);
      expect(ts.stderr).toContain('Top-level await is currently not supported with the "cjs" output format');
      const mts = await sh('npx tsx first-call.mts', project, credentials());
      expect(mts.code, mts.stderr).toBe(0);
      expect(mts.stdout).toContain('ping: true');
    } finally {
      await sh('npm pkg set type=module', project);
    }
  });
});
