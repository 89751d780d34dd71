import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// "The spec, for every language" (DESIGN.md): what other people's generators need from the
// document, checked on the bundle they consume. The generators themselves run in apps/consumers.

const specDir = join(import.meta.dirname, '..');
const SYNC = join(specDir, 'scripts', 'sync-version.mjs');

// biome-ignore lint/suspicious/noExplicitAny: the tests walk whatever JSON the bundle holds
type Json = Record<string, any>;
const bundle = JSON.parse(readFileSync(join(specDir, 'dist', 'openapi.json'), 'utf8')) as Json;
const packageJson = JSON.parse(readFileSync(join(specDir, 'package.json'), 'utf8')) as Json;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Every operation of the bundle, with its path and method. */
function operations(): { path: string; method: string; operation: Json }[] {
  return Object.entries(bundle.paths as Json).flatMap(([path, methods]) =>
    Object.entries(methods as Json).map(([method, operation]) => ({ path, method, operation })),
  );
}

/** Follow a local `$ref` ("#/components/...") to what it points at. */
function resolve(node: Json): Json {
  let current = node;
  while (typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json, key: string) => at[key.replaceAll('~1', '/').replaceAll('~0', '~')], bundle);
  }
  return current;
}

/** Every schema object in the document, with a JSON-pointer-like location. */
function* schemasIn(node: unknown, at: string): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* schemasIn(item, `${at}/${index}`);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Json;
  if (typeof object.type === 'string' || Array.isArray(object.type)) yield [at, object];
  for (const [key, value] of Object.entries(object)) {
    if (key === 'examples' || key === 'example') continue;
    yield* schemasIn(value, `${at}/${key}`);
  }
}

describe('info.version moves with the @testmax/spec package', () => {
  it('is the package version, in the source and in both bundles', () => {
    const source = readFileSync(join(specDir, 'openapi.yaml'), 'utf8');
    expect(source).toMatch(new RegExp(`^info:\\n(?: {2}.*\\n)*? {2}version: ${packageJson.version}$`, 'm'));
    expect(bundle.info.version).toBe(packageJson.version);
    expect(readFileSync(join(specDir, 'dist', 'openapi.yaml'), 'utf8')).toContain(
      `\n  version: ${packageJson.version}\n`,
    );
  });

  it('sync-version.mjs --check fails when they differ, and sync-version.mjs makes them equal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'testmax-spec-version-'));
    scratch.push(dir);
    cpSync(join(specDir, 'openapi.yaml'), join(dir, 'openapi.yaml'));
    // What `changeset version` does: bump package.json, and nothing else.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...packageJson, version: '0.7.3' }));
    const check = spawnSync(process.execPath, [SYNC, '--check', dir], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`info.version is ${packageJson.version} but @testmax/spec is 0.7.3`);

    const sync = spawnSync(process.execPath, [SYNC, dir], { encoding: 'utf8' });
    expect(sync.status).toBe(0);
    const synced = readFileSync(join(dir, 'openapi.yaml'), 'utf8');
    expect(synced).toMatch(/^info:\n(?: {2}.*\n)*? {2}version: 0\.7\.3$/m);
    // Only that line changed: the document is otherwise byte for byte the same.
    expect(synced.replace('version: 0.7.3', `version: ${packageJson.version}`)).toBe(
      readFileSync(join(specDir, 'openapi.yaml'), 'utf8'),
    );
    expect(spawnSync(process.execPath, [SYNC, '--check', dir]).status).toBe(0);
  });
});

describe('servers', () => {
  it('lists production first (the default of every generator), then the local simulator', () => {
    expect(bundle.servers[0]).toMatchObject({ url: 'https://api.test-max.com/api/topstep-sim' });
    const local = bundle.servers[1] as Json;
    expect(local.url).toBe('http://127.0.0.1:{port}');
    expect(local.variables).toEqual({ port: { default: '4010' } });
    expect(bundle.servers).toHaveLength(2);
  });
});

describe('what generators type', () => {
  it('declares server errors with explicit codes, never a range', () => {
    for (const { path, method, operation } of operations()) {
      const codes = Object.keys(operation.responses);
      expect(
        codes.filter((code) => /X/i.test(code)),
        `${method} ${path}`,
      ).toEqual([]);
      expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['500', '502', '503', '504']));
    }
    expect(JSON.stringify(bundle)).not.toMatch(/"[1-5]XX"/i);
  });

  it('declares 403 on the operations that take a bearer, and 409 as a protocol-level answer', () => {
    for (const { path, method, operation } of operations()) {
      const bearer = (operation.security ?? bundle.security).some(
        (requirement: Json) => 'bearerAuth' in requirement,
      );
      expect('403' in operation.responses, `${method} ${path}`).toBe(bearer);
    }
    expect(bundle['x-testmax-protocol-responses']['409']).toEqual({
      $ref: '#/components/responses/Conflict',
    });
  });

  it('gives every component schema a title (quicktype names its types after it)', () => {
    for (const [name, schema] of Object.entries(bundle.components.schemas as Json)) {
      expect(schema.title, name).toBe(name);
    }
  });

  it('gives every integer and number a format', () => {
    const missing = [...schemasIn(bundle, '#')]
      .filter(([, schema]) => [schema.type].flat().some((type) => type === 'integer' || type === 'number'))
      .filter(([, schema]) => typeof schema.format !== 'string')
      .map(([at]) => at);
    expect(missing).toEqual([]);
    const { TradingAccount, ErrorCode } = bundle.components.schemas;
    expect(TradingAccount.properties.id.format).toBe('int64');
    expect(TradingAccount.properties.balance.format).toBe('double');
    expect(ErrorCode.format).toBe('int32');
  });

  it('marks the API key as a password, not writeOnly (which splits request types in two)', () => {
    expect(bundle.components.schemas.LoginApiKeyRequest.properties.apiKey.format).toBe('password');
    expect(JSON.stringify(bundle)).not.toContain('"writeOnly"');
  });

  it('takes null for the optional onlyActiveAccounts, as generated models send it', () => {
    expect(bundle.components.schemas.AccountSearchRequest.properties.onlyActiveAccounts.type).toEqual([
      'boolean',
      'null',
    ]);
  });
});

describe('examples', () => {
  it('the ProblemDetails schema example is not a 429', () => {
    for (const example of bundle.components.schemas.ProblemDetails.examples) {
      expect(example.status).not.toBe(429);
    }
  });

  it('each problem response has examples of its own status', () => {
    const responses: [string, Json][] = [
      ...operations().flatMap(({ operation }) => Object.entries(operation.responses as Json)),
      ...Object.entries(bundle['x-testmax-protocol-responses'] as Json),
    ];
    let checked = 0;
    for (const [code, raw] of responses) {
      const response = resolve(raw);
      const problem = response.content?.['application/problem+json'];
      if (!problem) continue;
      const examples = Object.values(problem.examples ?? {}) as Json[];
      expect(examples.length, `${code} ${raw.$ref ?? ''}`).toBeGreaterThan(0);
      for (const example of examples)
        expect(example.value.status, `${code} ${raw.$ref ?? ''}`).toBe(Number(code));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('facts machines can read', () => {
  it('names and explains the known error codes, while ErrorCode stays an open integer', () => {
    const code = bundle.components.schemas.ErrorCode;
    expect(code.type).toBe('integer');
    expect(code.enum).toBeUndefined();
    expect(code['x-extensible-enum']).toEqual([0, 1, 3, 9, 99]);
    expect(code['x-enum-varnames']).toEqual([
      'Success',
      'UserNotFound',
      'InvalidCredentials',
      'SubscriptionRequired',
      'InternalError',
    ]);
    expect(code['x-enum-descriptions']).toHaveLength(code['x-extensible-enum'].length);
    expect(code.examples).toEqual(code['x-extensible-enum']);
  });

  it('states the token lifetime and the rate limits', () => {
    expect(bundle.components.securitySchemes.bearerAuth['x-testmax-token-lifetime-seconds']).toBe(86_400);
    expect(bundle['x-testmax-rate-limits']).toEqual([
      { limit: 200, windowSeconds: 60 },
      { path: '/History/retrieveBars', limit: 50, windowSeconds: 30 },
    ]);
  });

  it('links the vendor docs, and prefixes its own extensions', () => {
    expect(bundle.externalDocs.url).toBe('https://gateway.docs.projectx.com/');
    expect(bundle['x-protocol-responses']).toBeUndefined();
    const ownExtensions = JSON.stringify(bundle).match(/"x-[\w-]+"/g) ?? [];
    const shared = new Set(['"x-extensible-enum"', '"x-enum-varnames"', '"x-enum-descriptions"']);
    for (const name of ownExtensions) {
      if (!shared.has(name)) expect(name).toMatch(/^"x-testmax-/);
    }
  });
});
