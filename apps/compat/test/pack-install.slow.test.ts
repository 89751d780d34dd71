import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadUrl } from '@testmax/test-support/loopback';
import { type StartedProcess, startProcess } from '@testmax/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runOk } from '../src/exec.js';
import { packAll } from '../src/pack.js';
import {
  codeEntryPoints,
  narrowedToBuilt,
  PUBLISHED,
  packagesUnderTest,
  readPackageJson,
} from '../src/workspace.js';

// Users install from npm, not from our workspace: pack every package as `pnpm publish` would,
// install the tarballs with npm into a project outside the repository, and use them from there.

const packages = packagesUnderTest();
const has = (name: string) => packages.some((pkg) => pkg.name === name);
// Without TESTMAX_COMPAT_ONLY_BUILT=1 (never in CI: see narrowedToBuilt) packagesUnderTest() is
// every published package or throws, so every `runIf` below is true; narrowed, the skips are announced here.
if (narrowedToBuilt()) {
  const left = PUBLISHED.filter((pkg) => !has(pkg.name)).map((pkg) => pkg.name);
  console.warn(
    `TESTMAX_COMPAT_ONLY_BUILT=1: checking ${packages.map((pkg) => pkg.name).join(', ') || 'nothing'}` +
      (left.length > 0 ? `; the tests that need ${left.join(', ')} are skipped` : ''),
  );
} else if (packages.length !== PUBLISHED.length) {
  throw new Error('packagesUnderTest() left packages out without TESTMAX_COMPAT_ONLY_BUILT=1');
}
const manifests = new Map(packages.map((pkg) => [pkg.name, readPackageJson(pkg.dir)]));
const entryPoints = [...manifests.values()].flatMap(codeEntryPoints);
const allFive = [
  '@testmax/spec',
  '@testmax/client',
  '@testmax/mock-server',
  '@testmax/auth',
  '@testmax/cli',
].every(has);

/** The names DESIGN.md makes part of the public contract, per entry point. */
const CONTRACT: Record<string, string[]> = {
  '@testmax/client': ['createClient', 'DEFAULT_BASE_URL'],
  '@testmax/auth': [
    'AuthSession',
    'TestMaxError',
    'AuthenticationError',
    'InvalidCredentialsError',
    'AccountDisabledError',
    'SubscriptionRequiredError',
    'TokenExpiredError',
    'ApiError',
    'RateLimitError',
    'NetworkError',
    'TimeoutError',
    'ConfigError',
    'StoreError',
    'memoryTokenStore',
    'createRateLimiter',
    'GATEWAY_RATE_LIMITS',
  ],
  '@testmax/auth/node': ['loadCredentials', 'fileTokenStore'],
  '@testmax/redis': ['redisTokenStore', 'redisRateLimiter'],
  '@testmax/mock-server': ['startMockServer', 'DEMO_USER'],
};

let work: string;
let project: string;
/** Env for everything run in the consumer project: no credentials or config of the machine's user. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'testmax-compat-'));
  const tarballDir = join(work, 'tarballs');
  project = join(work, 'project');
  mkdirSync(tarballDir);
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'consumer'), project, { recursive: true });
  const home = join(work, 'home');
  mkdirSync(home);
  env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TESTMAX_')));
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    // Never the machine user's keychain: the installed CLI would save the demo key there.
    TESTMAX_KEYCHAIN: 'off',
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    // Keep npm's cache so a second run does not download typescript again.
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? home, '.npm'),
  });

  const tarballs = await packAll(packages, tarballDir);
  // One npm install for everything: the tarballs resolve each other (auth → client, cli → auth),
  // openapi-fetch and commander come from the registry, as they would for a user.
  await runOk(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs.values(),
      'typescript@~5.9.3',
      // The oldest TypeScript the package READMEs promise CommonJS users (with module nodenext).
      'typescript-5.8@npm:typescript@~5.8.3',
      // What `npm install -D typescript` gives a new project today.
      'typescript-latest@npm:typescript@latest',
      '@types/node@^20.19.0',
    ],
    { cwd: project, env, timeoutMs: 600_000 },
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function node(args: string[]) {
  return run(process.execPath, args, { cwd: project, env });
}

describe('installed from the packed tarballs, outside the workspace', () => {
  it('resolves @testmax/* from the installed tarballs, not from the workspace', () => {
    const require = createRequire(join(project, 'package.json'));
    for (const pkg of packages) {
      const manifestPath = require.resolve(`${pkg.name}/package.json`);
      expect(manifestPath.startsWith(join(project, 'node_modules'))).toBe(true);
      const installed = JSON.parse(readFileSync(manifestPath, 'utf8'));
      expect(installed.version).toBe(manifests.get(pkg.name)?.version);
      // pnpm pack turned workspace: ranges into real ones; npm could not have installed it otherwise.
      expect(JSON.stringify(installed.dependencies ?? {})).not.toContain('workspace:');
    }
  });

  it('imports every entry point from ESM and finds the documented exports', async () => {
    const result = await node(['exports.mjs', ...entryPoints]);
    expect(result.code, result.stderr).toBe(0);
    const exported = JSON.parse(result.stdout) as Record<string, string[]>;
    expect(Object.keys(exported).sort()).toEqual([...entryPoints].sort());
    for (const [specifier, names] of Object.entries(exported)) {
      expect(names.length, `${specifier} exports nothing`).toBeGreaterThan(0);
      expect(names).toEqual(expect.arrayContaining(CONTRACT[specifier] ?? []));
    }
  });

  it('require()s every entry point from CommonJS and gets the same exports as import', async () => {
    const esm = await node(['exports.mjs', ...entryPoints]);
    const cjs = await node(['exports.cjs', ...entryPoints]);
    expect(cjs.code, cjs.stderr).toBe(0);
    // Not even an ExperimentalWarning: a CommonJS user sees nothing unusual.
    expect(cjs.stderr).toBe('');
    expect(JSON.parse(cjs.stdout)).toEqual(JSON.parse(esm.stdout));
  });

  it.runIf(allFive).each(['flow.mjs', 'flow.cjs'])(
    '%s: starts the installed simulator, pings it, logs in and lists accounts',
    async (script) => {
      const result = await node([script]);
      expect(result.code, result.stderr).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome).toMatchObject({
        ping: true,
        tokenSegments: 3,
        rejected: 'true true',
        credentialsUser: 'env-user@example.com',
      });
      expect(outcome.accounts).toEqual(expect.arrayContaining(['SIM-50K-01']));
      expect(outcome.specPaths).toEqual(
        expect.arrayContaining([
          '/Auth/loginKey',
          '/Auth/validate',
          '/Auth/logout',
          '/Status/ping',
          '/Account/search',
        ]),
      );
      // Neither the key nor a token is ever printed by the libraries themselves.
      expect(result.stderr).not.toContain('tmx_demo_not_a_real_key');
    },
  );

  it.runIf(allFive).each(['bundler', 'nodenext'])(
    'type-checks a consumer with tsc, moduleResolution %s (our .d.ts included: skipLibCheck false)',
    async (resolution) => {
      const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await node([tsc, '-p', `tsconfig.${resolution}.json`, '--pretty', 'false']);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it.runIf(allFive)(
    'type-checks the CommonJS (.cts) consumer with TypeScript 5.8, the oldest the READMEs promise (nodenext)',
    async () => {
      const tsc = join(project, 'node_modules', 'typescript-5.8', 'bin', 'tsc');
      const version = await node([tsc, '--version']);
      expect(version.stdout.trim()).toMatch(/^Version 5\.8\./);
      const result = await node([tsc, '-p', 'tsconfig.nodenext.json', '--pretty', 'false']);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it.runIf(allFive).each([
    ['the pinned TypeScript (~5.9)', 'typescript'],
    ['the latest TypeScript from npm', 'typescript-latest'],
  ])(
    'type-checks a Node-only consumer (lib ES2022 without DOM, strict, NodeNext, skipLibCheck false) with %s',
    async (_which, compiler) => {
      const tsc = join(project, 'node_modules', compiler, 'bin', 'tsc');
      const version = await node([tsc, '--version']);
      console.log(`node-only consumer: ${compiler} ${version.stdout.trim()}`);
      const result = await node([tsc, '-p', 'tsconfig.node-only.json', '--pretty', 'false']);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it.runIf(has('@testmax/spec'))(
    'reads the bundled OpenAPI document by package path, as JSON and YAML',
    () => {
      const require = createRequire(join(project, 'package.json'));
      const json = JSON.parse(readFileSync(require.resolve('@testmax/spec/openapi.json'), 'utf8'));
      expect(json.openapi).toMatch(/^3\.1\./);
      expect(Object.keys(json.paths)).toContain('/Auth/loginKey');
      const yaml = readFileSync(require.resolve('@testmax/spec/openapi.yaml'), 'utf8');
      expect(yaml).toMatch(/^openapi: ['"]?3\.1\./m);
      expect(yaml).toContain('/Auth/loginKey:');
      // Bundled: nothing left pointing at files the tarball does not ship.
      expect(JSON.stringify(json)).not.toMatch(/"\$ref":"(?!#)/);
    },
  );
});

describe.runIf(has('@testmax/cli') && has('@testmax/mock-server'))('the installed bins', () => {
  const bin = (name: string) => join(project, 'node_modules', '.bin', name);
  let mock: StartedProcess | undefined;
  let mockUrl: string;

  beforeAll(async () => {
    // The bin's shebang is `#!/usr/bin/env node`: it runs on whichever Node is first on PATH,
    // which is how the Node 24 run exercises it too.
    mock = await startProcess({
      command: bin('testmax-mock'),
      args: ['--port', '0'],
      cwd: project,
      env,
      ready: /(https?:\/\/127\.0\.0\.1:\d+)/,
    });
    mockUrl = mock.ready;
  });

  afterAll(async () => {
    await mock?.stop();
  });

  const cli = (args: string[], input?: string) =>
    run(bin('testmax'), args, { cwd: project, env, ...(input === undefined ? {} : { input }) });

  it('testmax --version prints the packed version', async () => {
    const result = await cli(['--version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(manifests.get('@testmax/cli')?.version);
  });

  it('testmax ping --base-url <testmax-mock> succeeds, in text and JSON', async () => {
    const text = await cli(['ping', '--base-url', mockUrl]);
    expect(text.code, text.stderr).toBe(0);
    // NO_COLOR is set: one plain line naming the server that answered.
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(text.stdout).toContain(`${mockUrl} is up`);
    const json = await cli(['ping', '--base-url', mockUrl, '--json']);
    expect(json.code, json.stderr).toBe(0);
    // stdout is exactly one JSON document, and it says which server answered and how fast.
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ ok: true, baseUrl: mockUrl });
    expect(Number.isInteger(doc.latencyMs) && (doc.latencyMs as number) >= 0, String(doc.latencyMs)).toBe(
      true,
    );
  });

  it('testmax ping against a port nobody listens on fails with exit code 5', async () => {
    const closed = await deadUrl();
    const result = await cli(['ping', '--base-url', closed]);
    expect(result.code).toBe(5);
    expect(result.stderr).not.toMatch(/\n\s+at /); // one clear line, no stack trace
  });

  it.runIf(allFive)(
    'testmax login (key on stdin) → accounts → logout against the installed simulator',
    async () => {
      const { DEMO_USER } = (await import(
        join(project, 'node_modules', '@testmax', 'mock-server', 'dist', 'index.js')
      )) as typeof import('@testmax/mock-server');
      const login = await cli(
        ['login', '--base-url', mockUrl, '--username', DEMO_USER.userName, '--api-key-stdin'],
        DEMO_USER.apiKey,
      );
      expect(login.code, login.stderr).toBe(0);
      expect(login.stdout + login.stderr).not.toContain(DEMO_USER.apiKey);
      const accounts = await cli(['accounts', '--base-url', mockUrl, '--json']);
      expect(accounts.code, accounts.stderr).toBe(0);
      expect(accounts.stdout).toContain('SIM-50K-01');
      const logout = await cli(['logout', '--base-url', mockUrl]);
      expect(logout.code, logout.stderr).toBe(0);
      const after = await cli(['accounts', '--base-url', mockUrl]);
      expect(after.code).toBe(4); // not logged in any more
    },
  );
});
