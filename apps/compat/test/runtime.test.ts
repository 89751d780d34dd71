import { describe, expect, it } from 'vitest';
import { run } from '../src/exec.js';

// The runtime matrix (scripts/test-node24.mjs) runs these suites on another Node; these checks
// make sure a run really happened on the Node it claims, child processes included.

const expectedMajor = process.env.TESTMAX_EXPECT_NODE_MAJOR;

describe('runtime', () => {
  it('runs on a Node the packages support (>= 20.19), and in a matrix run on the major asked for', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 20 || (major === 20 && minor >= 19), process.version).toBe(true);
    // scripts/test-node24.mjs sets TESTMAX_EXPECT_NODE_MAJOR=24; a plain run uses the machine's Node.
    expect(String(major)).toBe(expectedMajor ?? String(major));
  });

  it('the `node` that bins find on PATH (#!/usr/bin/env node) is the Node running the tests', async () => {
    const result = await run('node', ['-p', 'process.version']);
    expect(result.stdout.trim()).toBe(process.version);
  });
});
