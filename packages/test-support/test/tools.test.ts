import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { TOOLS, tool } from '../src/tools.ts';

const LIST = join(import.meta.dirname, '..', '..', '..', '.ci', 'debian-packages.txt');

let dir: string;
let savedPath: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'testmax-tools-'));
  savedPath = process.env.PATH;
  // Nothing is on this PATH: every command-line tool is missing.
  process.env.PATH = dir;
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  process.env.PATH = savedPath;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('a tool a suite needs', () => {
  test('missing under CI: an error naming the tool, its Debian package and pnpm test:setup', () => {
    for (const ci of ['true', '1', 'yes']) {
      expect(() => tool('zsh', { env: { CI: ci }, recordDir: dir })).toThrow(
        /^zsh is not installed \(`pnpm test:setup`, or apt-get install -y --no-install-recommends zsh\), and CI is set: CI never skips/,
      );
    }
    expect(() => tool('go', { env: { CI: 'true' }, recordDir: dir })).toThrow(
      /--no-install-recommends golang-go\)/,
    );
  });

  test('missing on a laptop: skipped loudly, with the reason for the test names, and recorded for the closing line', () => {
    for (const ci of [undefined, '', '0', 'false']) {
      const zsh = tool('zsh', { env: ci === undefined ? {} : { CI: ci }, recordDir: dir });
      expect(zsh).toMatchObject({ available: false, path: undefined });
      expect(zsh.skipNote).toBe(' (skipped: zsh is not installed; run `pnpm test:setup`)');
    }
    expect(console.warn).toHaveBeenCalledWith(
      expect.stringContaining('SKIPPED: zsh is not installed (`pnpm test:setup`, or apt-get install'),
    );
    expect(existsSync(join(dir, 'zsh'))).toBe(true);
  });

  test('present: available, with its path, and nothing said', () => {
    process.env.PATH = savedPath;
    const python = tool('python3', { env: { CI: 'true' }, recordDir: dir });
    expect(python.available).toBe(true);
    expect(python.path).toMatch(/python3$/);
    expect(python.skipNote).toBe('');
    expect(console.warn).not.toHaveBeenCalled();
  });

  test('every tool comes from a package in .ci/debian-packages.txt, the one list pnpm test:setup installs', () => {
    const listed = readFileSync(LIST, 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean);
    for (const [name, { debianPackage }] of Object.entries(TOOLS)) {
      expect(listed, `${name} needs ${debianPackage}`).toContain(debianPackage);
    }
  });
});
