import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const specDir = join(import.meta.dirname, '..');
const LINT = join(specDir, 'scripts', 'lint.mjs');
const REDOCLY = join(specDir, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_COLOR: '1',
};

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the spec (document, config, plugin) to break on purpose. */
function copyOfSpec(): string {
  const dir = mkdtempSync(join(tmpdir(), 'testmax-spec-'));
  scratch.push(dir);
  for (const file of ['openapi.yaml', 'redocly.yaml', 'plugins']) {
    cpSync(join(specDir, file), join(dir, file), { recursive: true });
  }
  return dir;
}

describe('pnpm lint (scripts/lint.mjs)', () => {
  it('passes on the spec and the workflow: zero errors and zero warnings', () => {
    const { code, output } = run([LINT, 'openapi.yaml', 'workflows/auth-flow.arazzo.yaml'], specDir);
    expect(output).toContain('redocly lint: 0 errors, 0 warnings in 2 file(s)');
    expect(code).toBe(0);
  });

  it('fails on a warning, which `redocly lint` alone lets through with exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'testmax-lint-'));
    scratch.push(dir);
    writeFileSync(
      join(dir, 'redocly.yaml'),
      'extends:\n  - recommended-strict\nrules:\n  info-contact: warn\n',
    );
    writeFileSync(
      join(dir, 'openapi.yaml'),
      [
        'openapi: 3.1.0',
        'info:',
        '  title: A document whose only problem is a warning',
        '  version: 1.0.0',
        '  description: No contact.',
        '  license: { name: MIT, identifier: MIT }',
        'servers: [{ url: "https://api.testmax.invalid" }]',
        'tags: [{ name: Status, description: Health. }]',
        'paths:',
        '  /ping:',
        '    get:',
        '      { tags: [Status], operationId: ping, summary: Ping, description: Ping., security: [],',
        '        responses: { "200": { description: Up. }, "400": { description: Bad. } } }',
        '',
      ].join('\n'),
    );
    const plain = run([REDOCLY, 'lint', 'openapi.yaml'], dir);
    expect(plain.output).toMatch(/1 warning/);
    expect(plain.code).toBe(0);
    const strict = run([LINT, 'openapi.yaml'], dir);
    expect(strict.output).toContain('warn  info-contact');
    expect(strict.output).toContain('0 errors, 1 warnings');
    expect(strict.code).toBe(1);
  });

  it('fails on a config problem (an unknown rule in redocly.yaml)', () => {
    const dir = copyOfSpec();
    writeFileSync(
      join(dir, 'redocly.yaml'),
      `${readFileSync(join(dir, 'redocly.yaml'), 'utf8')}  no-such-rule: error\n`,
    );
    expect(run([LINT, 'openapi.yaml'], dir).code).not.toBe(0);
  });

  it('validates header examples: a number where Retry-After is a string is an error', () => {
    const dir = copyOfSpec();
    const file = join(dir, 'openapi.yaml');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('        - "2"\n');
    writeFileSync(file, source.replace('        - "2"\n', '        - 2\n'));
    const { code, output } = run([LINT, 'openapi.yaml'], dir);
    expect(output).toMatch(/no-invalid-schema-examples .*type must be string/);
    expect(code).toBe(1);
  });

  it('checks the examples of x-testmax-protocol-responses, and counts their components as used', () => {
    const dir = copyOfSpec();
    const file = join(dir, 'openapi.yaml');
    const source = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      source.replace(
        '                detail: No operation at /Order/place.\n',
        '                detail: 404\n',
      ),
    );
    const broken = run([LINT, 'openapi.yaml'], dir);
    expect(broken.output).toMatch(/no-invalid-media-type-examples .*must be string/);
    // Without the plugin the extension is opaque: NotFound and MethodNotAllowed look unused.
    writeFileSync(file, source);
    writeFileSync(
      join(dir, 'redocly.yaml'),
      readFileSync(join(dir, 'redocly.yaml'), 'utf8').replace(/^plugins:\n(?: {2}- .*\n)+/m, ''),
    );
    expect(run([LINT, 'openapi.yaml'], dir).output).toMatch(/"NotFound" is never used/);
  });
});

describe('package exports', () => {
  it('export the workflows it publishes, beside the bundles and the source', () => {
    // Self-reference: resolving our own name goes through package.json "exports".
    const require = createRequire(import.meta.url);
    expect(require.resolve('@testmax/spec/workflows/auth-flow.arazzo.yaml')).toBe(
      join(specDir, 'workflows', 'auth-flow.arazzo.yaml'),
    );
    expect(require.resolve('@testmax/spec/openapi.json')).toBe(join(specDir, 'dist', 'openapi.json'));
    expect(require.resolve('@testmax/spec/source.yaml')).toBe(join(specDir, 'openapi.yaml'));
  });
});

describe('the bundle (dist/openapi.json)', () => {
  const bundle = JSON.parse(readFileSync(join(specDir, 'dist', 'openapi.json'), 'utf8'));

  it('keeps x-testmax-protocol-responses as refs to component responses', () => {
    const protocol = bundle['x-testmax-protocol-responses'] as Record<string, { $ref: string }>;
    expect(Object.keys(protocol)).toEqual(['404', '405', '409', '413', '429', '500', '502', '503', '504']);
    for (const response of Object.values(protocol)) {
      expect(response.$ref).toMatch(/^#\/components\/responses\//);
      expect(bundle.components.responses[response.$ref.split('/').pop()!]).toBeDefined();
    }
  });
});
