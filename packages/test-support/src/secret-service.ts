/**
 * A real Secret Service for the keychain tests: Debian's `gnome-keyring` on a private D-Bus
 * session (`dbus-run-session`), unlocked with a throw-away password, in a sandbox of its own
 * (HOME, XDG dirs, runtime dir). Everything a keyring client reads to find a keychain is set
 * here, and nothing comes from the machine running the tests, so a test can never reach the
 * developer's own keychain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from './tools.js';

export interface SecretService {
  /**
   * The environment for a process that must use this Secret Service: PATH, the sandbox's HOME
   * and XDG dirs, and the private bus. Nothing else of the test runner's environment.
   */
  readonly env: Record<string, string>;
  /** The sandbox's home directory (removed by `stop`). */
  readonly home: string;
  /** True when the keyring was left locked (`{ locked: true }`). */
  readonly locked: boolean;
  /** End the bus (the daemon goes with it) and remove the sandbox. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Whether the Secret Service tests can run: `gnome-keyring-daemon` and `dbus-run-session`
 * installed, by the one rule for a missing tool (tools.ts): run; missing on a laptop, skipped
 * loudly; missing under CI, an error. `options` as for `tool()` (for the rule's own tests).
 */
export function secretServiceAvailable(options: Parameters<typeof tool>[1] = {}): boolean {
  // Both asked, so a laptop missing both hears about both.
  const found = (['gnome-keyring-daemon', 'dbus-run-session'] as const).map((name) => tool(name, options));
  return found.every((each) => each.available);
}

/** A sandbox: HOME and every XDG dir a keyring client or daemon reads, and nothing else. */
function sandboxEnv(home: string, runtimeName = 'run'): Record<string, string> {
  const runtime = join(home, runtimeName);
  mkdirSync(runtime, { recursive: true });
  chmodSync(runtime, 0o700);
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_RUNTIME_DIR: runtime,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
}

/** Start the bus and the daemon; resolves with the bus address once the keyring is up. */
function launch(
  env: Record<string, string>,
  daemon: string,
): Promise<{ child: ChildProcess; address: string }> {
  // `exec cat` holds the session open until our end of its stdin closes: stop() closes it, and
  // if the test process dies, the pipe closes too and the bus, with the daemon, goes away.
  const script = `${daemon} >/dev/null 2>&1 || exit 3; echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null`;
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Secret Service did not start within 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /BUS=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, address: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-run-session exited (${code}) before the Secret Service was up:\n${output}`));
    });
  });
}

/**
 * The processes of this sandbox still running: gnome-keyring-daemon forks away from the session
 * and usually leaves with the bus, but not always (a second daemon started in the same runtime
 * dir keeps the first one busy). Found by the sandbox's unique HOME in their environment, so
 * only processes this harness started are ever touched.
 */
function sandboxProcesses(home: string): number[] {
  const marker = `\0HOME=${home}\0`;
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
      if (environ.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

async function end(child: ChildProcess | undefined, home: string): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  for (let round = 0; round < 50; round++) {
    const left = sandboxProcesses(home);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, round < 20 ? 'SIGTERM' : 'SIGKILL');
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A Secret Service on a private bus. `{ locked: true }`: the keyring exists but is locked (it
 * was created with a password, then the daemon restarted without it), so every read and write
 * is refused: the "keychain that says no" case.
 */
export async function startSecretService(options: { locked?: boolean } = {}): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'testmax-keyring-'));
  const base = { ...sandboxEnv(home), TESTMAX_TEST_KEYRING_PASSWORD: 'throwaway-keyring-password' };
  const unlock =
    'printf %s "$TESTMAX_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets';
  let started: { child: ChildProcess; address: string };
  try {
    if (options.locked) {
      // Create the login keyring with a password, end that session, start again without it
      // (in a fresh runtime dir: the new daemon must not find the old one's control socket).
      const first = await launch({ ...base, ...sandboxEnv(home, 'run-create') }, unlock);
      await end(first.child, home);
      started = await launch(base, 'gnome-keyring-daemon --start --components=secrets');
    } else {
      started = await launch(base, unlock);
    }
  } catch (error) {
    await end(undefined, home);
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const { TESTMAX_TEST_KEYRING_PASSWORD: _password, ...clean } = base;
  const env = { ...clean, DBUS_SESSION_BUS_ADDRESS: started.address };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= end(started.child, home).then(() => rmSync(home, { recursive: true, force: true }));
    return stopped;
  };
  return { env, home, locked: options.locked === true, stop, [Symbol.asyncDispose]: stop };
}

export interface SilentBus {
  /** A `DBUS_SESSION_BUS_ADDRESS` whose socket accepts connections and never answers. */
  readonly address: string;
  /** How many clients connected (each one a keyring call that hung). */
  readonly connections: number;
  /** How many of them are still connected (0 once every hung client was killed). */
  readonly open: number;
  close(): Promise<void>;
}

/**
 * A D-Bus that hangs: the socket accepts, reads, and never says a word. A keyring client
 * blocks on it (in the constructor, before any timeout of its own): the case a CLI must survive
 * by giving up on the keychain in time.
 */
export async function startSilentBus(): Promise<SilentBus> {
  const dir = mkdtempSync(join(tmpdir(), 'testmax-silent-bus-'));
  const path = join(dir, 'bus');
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    address: `unix:path=${path}`,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      try {
        unlinkSync(path);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
