import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from '@testmax/test-support/processes';
import { runNode } from '@testmax/test-support/run-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../src/index.js';
import { configDir, fileTokenStore, tokenStoreDir } from '../src/node.js';

const WORKER = join(import.meta.dirname, 'fixtures', 'store-worker.mjs');
const SCOPE = { baseUrl: 'http://127.0.0.1:4010', userName: 'fleet@example.com' };
const record = (token: string) => ({ token, receivedAt: Date.now() });

let dir: string;
let warnings: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'testmax-file-store-'));
  warnings = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const store = () => fileTokenStore({ path: dir, onWarning: (message) => warnings.push(message) });
const tokenFiles = () => readdirSync(dir).filter((name) => /^token-[0-9a-f]{32}\.json$/.test(name));
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Run workers together; resolve with what each printed, failing on any exit but 0. */
async function workers(argsList: string[][]): Promise<unknown[]> {
  return Promise.all(
    argsList.map(async (args) => {
      const { code, stdout, stderr } = await runNode(WORKER, [dir, ...args]);
      if (code !== 0) throw new Error(`worker exited ${code}: ${stderr}`);
      return JSON.parse(stdout) as unknown;
    }),
  );
}

describe('fileTokenStore: files', () => {
  it('keeps one 0600 file per scope in a 0700 directory it creates, and no temporary file', async () => {
    const nested = join(dir, 'state', 'testmax');
    const s = fileTokenStore({ path: nested });
    await s.compareAndSet(SCOPE, 0, record('token-a'));
    await s.compareAndSet({ ...SCOPE, profile: 'paper' }, 0, record('token-b'));
    await s.compareAndSet(SCOPE, 1, record('token-c'));
    expect(modeOf(nested)).toBe(0o700);
    const names = readdirSync(nested);
    expect(names.filter((name) => name.endsWith('.json'))).toHaveLength(2);
    expect(names.filter((name) => !/^token-[0-9a-f]{32}\.json$/.test(name))).toEqual([]);
    for (const name of names) expect(modeOf(join(nested, name))).toBe(0o600);
  });

  it('creates files 0600 whatever the umask: the mode is set at creation, never by a chmod after', async () => {
    const previous = process.umask(0);
    try {
      await store().compareAndSet(SCOPE, 0, record('token-a'));
    } finally {
      process.umask(previous);
    }
    const [name] = tokenFiles();
    expect(modeOf(join(dir, name!))).toBe(0o600);
  });

  it('removes the file when neither a token nor a lock is left', async () => {
    const s = store();
    await s.compareAndSet(SCOPE, 0, record('token-a'));
    const lock = await s.tryLock(SCOPE, 60_000);
    await s.delete(SCOPE);
    expect(tokenFiles()).toHaveLength(1);
    await lock?.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('defaults to $XDG_STATE_HOME/testmax, where the CLI keeps its session, else ~/.local/state/testmax', () => {
    expect(tokenStoreDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toBe('/x/state/testmax');
    // A relative XDG value is invalid by the XDG spec and ignored.
    expect(tokenStoreDir({ XDG_STATE_HOME: 'rel/state', HOME: '/home/u' })).toBe(
      '/home/u/.local/state/testmax',
    );
    expect(tokenStoreDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/testmax');
  });

  it('configDir: $XDG_CONFIG_HOME/testmax, else ~/.config/testmax, with %USERPROFILE% where HOME is unset', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/config', HOME: '/home/u' })).toBe('/x/config/testmax');
    expect(configDir({ XDG_CONFIG_HOME: 'rel', HOME: '/home/u' })).toBe('/home/u/.config/testmax');
    expect(configDir({ HOME: ' ', USERPROFILE: '/users/u' })).toBe('/users/u/.config/testmax');
  });

  it('uses the default directory when given no path', async () => {
    const previous = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = join(dir, 'xdg');
    try {
      await fileTokenStore().compareAndSet(SCOPE, 0, record('token-a'));
    } finally {
      if (previous === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = previous;
    }
    expect(readdirSync(join(dir, 'xdg', 'testmax')).filter((n) => n.endsWith('.json'))).toHaveLength(1);
  });
});

describe('fileTokenStore: files that are not what they should be', () => {
  it("path '' (an unset variable) is a ConfigError, not files in whatever the working directory is", () => {
    expect(() => fileTokenStore({ path: '' })).toThrow(ConfigError);
    expect(() => fileTokenStore({ path: '  ' })).toThrow(
      /path must be a directory path, got an empty string/,
    );
    expect(() => fileTokenStore({ path: 5 as never })).toThrow(/got number/);
  });

  async function fileOfScope(): Promise<string> {
    await store().compareAndSet(SCOPE, 0, record('token-a'));
    const [name] = tokenFiles();
    return join(dir, name!);
  }

  it('refuses a FIFO at the token path with a StoreError naming it, without hanging', async () => {
    const file = await fileOfScope();
    rmSync(file);
    execFileSync('mkfifo', [file]);
    const error = await store()
      .get(SCOPE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ reason: 'invalid', code: 'STORE_ERROR' });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('FIFO');
    await expect(store().compareAndSet(SCOPE, 0, record('token-b'))).rejects.toBeInstanceOf(StoreError);
  });

  it('refuses a link to /dev/zero and a file too large to be a token file', async () => {
    const file = await fileOfScope();
    rmSync(file);
    symlinkSync('/dev/zero', file);
    await expect(store().get(SCOPE)).rejects.toThrow(/is a device, not a file/);
    rmSync(file);
    writeFileSync(file, 'x'.repeat(200 * 1024), { mode: 0o600 });
    await expect(store().get(SCOPE)).rejects.toThrow(/too large/);
  });

  it('treats a file that is not a token file as absent, warns once, and replaces it at the next write', async () => {
    const file = await fileOfScope();
    writeFileSync(file, '{"version": 1, "token": tru', { mode: 0o600 });
    const s = store();
    expect(await s.get(SCOPE)).toBeUndefined();
    expect(await s.get(SCOPE)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining(`Ignoring ${file}`)]);
    expect(await s.compareAndSet(SCOPE, 0, record('token-b'))).toMatchObject({ generation: 1 });
    expect((await store().get(SCOPE))?.token).toBe('token-b');
  });

  it('warns, naming the chmod fix, when others can read a token file; the next write makes it 0600', async () => {
    const file = await fileOfScope();
    chmodSync(file, 0o644);
    const s = store();
    expect((await s.get(SCOPE))?.token).toBe('token-a');
    expect(warnings).toEqual([
      `The token file ${file} is readable by group and others (mode 644); run: chmod 600 ${file}`,
    ]);
    await s.compareAndSet(SCOPE, 1, record('token-b'));
    expect(modeOf(file)).toBe(0o600);
  });

  it('says which directory cannot be used when the path is a file', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const s = fileTokenStore({ path: notADir });
    const error = await s.compareAndSet(SCOPE, 0, record('t')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(notADir);
    await expect(s.get(SCOPE)).rejects.toBeInstanceOf(StoreError);
  });

  it('says so when the directory cannot be written', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to refuse
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    const error = await fileTokenStore({ path: locked })
      .compareAndSet(SCOPE, 0, record('t'))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', reason: 'invalid' });
  });
});

describe('fileTokenStore: processes sharing it', () => {
  it('8 processes racing compare-and-set: every generation has exactly one winner', async () => {
    const results = (await workers(Array.from({ length: 8 }, () => ['cas', '25']))) as { wins: number }[];
    const wins = results.reduce((sum, result) => sum + result.wins, 0);
    // A write that two processes both "won" would count twice but raise the generation once.
    expect((await store().get(SCOPE))?.generation).toBe(wins);
    expect(wins).toBeGreaterThan(0);
  });

  it('8 processes writing and deleting at once: no operation fails (no rename/chmod race)', async () => {
    const results = await workers(Array.from({ length: 8 }, () => ['churn', '60']));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ done: 60 })));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('8 processes taking the lock: never two holders at once', async () => {
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    const results = await workers(Array.from({ length: 8 }, () => ['lock', '5', counter]));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ entered: 5 })));
    expect(Number(execFileSync('cat', [counter], { encoding: 'utf8' }))).toBe(40);
  });

  it('a holder killed with SIGKILL keeps the lock until its TTL, then another process takes it', async () => {
    const ttlMs = 1_500;
    const holder = await startProcess({
      command: process.execPath,
      args: [WORKER, dir, 'hold', String(ttlMs)],
      ready: /^(.+)\n/,
    });
    expect(holder.ready.trim()).toBe('locked');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const s = store();
    expect(await s.tryLock(SCOPE, 60_000)).toBeUndefined();
    const giveUpAt = Date.now() + ttlMs + 10_000;
    let lock = await s.tryLock(SCOPE, 60_000);
    while (!lock && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      lock = await s.tryLock(SCOPE, 60_000);
    }
    expect(lock).toBeDefined();
    await lock?.release();
  });
});
