import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/exec.js';
import { ROOT } from '../src/workspace.js';

// The runtime matrix runs these suites on the machine's Node (`pnpm test`) and on Node 24
// (scripts/test-node24.mjs, which sets TESTMAX_EXPECT_NODE_MAJOR=24 and refuses to pass unless
// the "runs on Node 24" check below ran and passed). These checks make sure a run really happened
// on the Node it claims, child processes included.

const expectedMajor = process.env.TESTMAX_EXPECT_NODE_MAJOR;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

describe('runtime', () => {
  it('runs on a Node the packages support (the root engines.node floor, >= 20.19)', () => {
    const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toBe('>=20.19');
    const [floorMajor = 0, floorMinor = 0] = engines.slice(2).split('.').map(Number);
    expect(major > floorMajor || (major === floorMajor && minor >= floorMinor), process.version).toBe(true);
  });

  if (expectedMajor !== undefined) {
    it(`runs on Node ${expectedMajor}, the major this matrix run asked for`, () => {
      expect(expectedMajor).toMatch(/^\d+$/);
      expect(process.version).toMatch(new RegExp(`^v${expectedMajor}\\.\\d+\\.\\d+`));
      // The runner preloads scripts/expect-node.mjs into every Node process of its run.
      expect(process.env.NODE_OPTIONS ?? '').toContain('expect-node.mjs');
    });
  }

  it('the `node` that bins find on PATH (#!/usr/bin/env node) is the Node running the tests', async () => {
    const result = await run('node', ['-p', 'process.version']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(process.version);
  });
});
