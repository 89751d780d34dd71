/**
 * A real Redis for the tests: Debian's `redis-server` on a free 127.0.0.1 port, no persistence,
 * in a temporary directory, stopped after. No mock of Redis anywhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS, tool } from './tools.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Stop the server (SIGTERM), as Redis going away; everything it held is gone. */
  stop(): Promise<void>;
  /** Start it again on the same port, empty (no persistence). */
  start(): Promise<void>;
  /** Freeze it (SIGSTOP): connections stay open, nothing is answered. Redis slow, or hung. */
  freeze(): void;
  /** Let a frozen server go on (SIGCONT). */
  thaw(): void;
  /** One command over a fresh connection, e.g. `['DEBUG', 'SLEEP', '2']`; resolves with the raw reply. */
  command(args: string[]): Promise<string>;
  /** Stop it and remove its directory. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The `redis-server` on PATH, or `undefined`. */
export function redisServerPath(): string | undefined {
  return TOOLS['redis-server'].find();
}

/**
 * Whether the Redis tests can run: true with `redis-server` on PATH. Without it, the rule of
 * every system tool (tools.ts): on a laptop, false and a loud warning naming the install
 * command (the suite is skipped); with `CI` set, an error, because CI never skips a suite.
 */
export function redisAvailable(options: Parameters<typeof tool>[1] = {}): boolean {
  return tool('redis-server', options).available;
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerPath();
  if (!binary) throw new Error('redis-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'testmax-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    // A port just freed can be taken by someone else before redis-server binds it: try again.
    for (let attempt = 0; ; attempt += 1) {
      if (port === 0 || attempt > 0) port = await freePort();
      const started = spawn(
        binary!,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
          '--enable-debug-command',
          'local',
          '--loglevel',
          'warning',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      started.stdout?.on('data', (chunk) => (output += chunk));
      started.stderr?.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
      const ready = await Promise.race([waitForPong(port).then(() => true), exited.then(() => false)]);
      if (ready) {
        child = started;
        return;
      }
      if (attempt >= 3) throw new Error(`redis-server did not start on port ${port}: ${output}`);
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT'); // a frozen server cannot handle SIGTERM
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  const close = async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    stop,
    async start() {
      if (child) return;
      await launch();
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    command: (args) => rawCommand(port, args),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function waitForPong(port: number): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await rawCommand(port, ['PING'])).startsWith('+PONG')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > giveUpAt) throw new Error(`redis-server on port ${port} never answered PING`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Send one command in RESP and resolve with the first reply line(s) received. */
function rawCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('redis command timed out'));
    }, 30_000);
    let reply = '';
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
