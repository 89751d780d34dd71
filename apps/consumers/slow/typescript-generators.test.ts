import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_USER } from '@testmax/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckedSimulator, startCheckedSimulator } from '../support/checked-simulator.js';
import { PACKAGE_DIR, SPEC_PATH } from '../support/paths.js';
import { runCommand, runScript, SCRIPTS, warningsIn } from '../support/scripts.js';
import type { FlowInput, FlowResult } from '../typescript/flow.js';

// Five TypeScript generators other teams use, each run as its package.json script (what the
// docs page shows): it must generate without a warning, the client it wrote must compile under
// `tsc --strict` together with a consumer written against it (typescript/<generator>.ts), and
// that consumer must run ping → loginKey → Account/search with the bearer → logout against the
// simulator through the spec's local server entry, with Prism validating every exchange.

const GENERATORS = [
  'hey-api',
  'orval',
  'oazapfts',
  'openapi-typescript-codegen',
  'swagger-typescript-api',
] as const;

const GENERATED = join(PACKAGE_DIR, 'typescript', 'generated');
const TSC = join(PACKAGE_DIR, 'node_modules', '.bin', 'tsc');

/** tsc --strict (typescript/tsconfig.json) over one consumer and what its generator wrote. */
async function compile(consumer: string, generatedDir = GENERATED) {
  const tsconfig = join(generatedDir, `tsconfig.${consumer}.json`);
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(PACKAGE_DIR, 'typescript', 'tsconfig.json'),
      files: [join(PACKAGE_DIR, 'typescript', `${consumer}.ts`)],
    }),
  );
  return runCommand(`"${TSC}" -p "${tsconfig}"`);
}

const active = DEMO_USER.accounts.filter((account) => account.canTrade).map((account) => account.name);

let simulator: CheckedSimulator;
beforeAll(async () => {
  await rm(GENERATED, { recursive: true, force: true });
  simulator = await startCheckedSimulator();
});
afterAll(async () => {
  await simulator?.close();
});

describe.each(GENERATORS)('%s', (generator) => {
  it('generates from spec/dist/openapi.json without a warning', async () => {
    expect(SCRIPTS[`generate:${generator}`]).toContain(
      generator === 'orval' ? 'orval.config.ts' : '../../spec/dist/openapi.json',
    );
    const { code, output } = await runScript(`generate:${generator}`);
    expect(warningsIn(output), output).toEqual([]);
    expect(code, output).toBe(0);
  });

  it('compiles under tsc --strict with a consumer written against it', async () => {
    const { code, output } = await compile(generator);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('drives the simulator through the local server entry: ping, login, search with the bearer, logout', async () => {
    simulator.server.resetCalls();
    await simulator.takeViolations();
    const consumer = (await import(
      pathToFileURL(join(PACKAGE_DIR, 'typescript', `${generator}.ts`)).href
    )) as {
      runFlow(input: FlowInput): Promise<FlowResult>;
    };
    const result = await consumer.runFlow({
      port: simulator.port,
      userName: DEMO_USER.userName,
      apiKey: DEMO_USER.apiKey,
    });
    expect(result).toEqual({ pinged: true, activeAccounts: active, loggedOut: true, statusAfterLogout: 401 });
    // Every step reached the simulator (through Prism), once.
    expect(simulator.server.calls('/Status/ping')).toBe(1);
    expect(simulator.server.calls('/Auth/loginKey')).toBe(1);
    expect(simulator.server.calls('/Account/search')).toBe(2);
    expect(simulator.server.calls('/Auth/logout')).toBe(1);
    expect(await simulator.takeViolations()).toEqual([]);
  });
});

describe('the checks have teeth', () => {
  // The two ways the spec used to break generators, on a scratch copy: each must fail the check.
  // Inside typescript/generated (ignored), so the generated code resolves its runtime packages.
  const scratch = join(GENERATED, 'broken');
  beforeAll(async () => {
    await mkdir(scratch, { recursive: true });
  });

  // biome-ignore lint/suspicious/noExplicitAny: a scratch edit of whatever JSON the bundle holds
  async function brokenSpec(change: (spec: Record<string, any>) => void): Promise<string> {
    const spec = JSON.parse(await readFile(SPEC_PATH, 'utf8'));
    change(spec);
    const file = join(scratch, `openapi-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify(spec));
    return file;
  }

  it('a generator warning fails the generate check (orval on a described server variable)', async () => {
    const spec = await brokenSpec((doc) => {
      doc.servers[1].variables.port.description = 'The port.';
    });
    const { output } = await runCommand(
      `orval --input "${spec}" --output "${join(scratch, 'orval.ts')}" --client fetch`,
    );
    expect(warningsIn(output).join('\n')).toMatch(/validation failed/);
  });

  it('tsc --strict fails on what a 5XX range makes oazapfts write', async () => {
    const spec = await brokenSpec((doc) => {
      const responses = doc.paths['/Status/ping'].get.responses;
      responses['5XX'] = responses['500'];
      for (const code of ['500', '502', '503', '504']) delete responses[code];
    });
    const dir = join(scratch, 'oazapfts-5xx');
    const generated = await runCommand(
      `mkdir -p "${dir}/oazapfts" && oazapfts "${spec}" "${dir}/oazapfts/api.ts"`,
    );
    expect(generated.code, generated.output).toBe(0);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(PACKAGE_DIR, 'typescript', 'tsconfig.json'),
        files: ['oazapfts/api.ts'],
      }),
    );
    const { code, output } = await runCommand(`"${TSC}" -p "${join(dir, 'tsconfig.json')}"`);
    expect(output).toMatch(/error TS1351/);
    expect(code).not.toBe(0);
  });
});
