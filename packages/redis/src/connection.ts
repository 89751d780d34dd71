import { createHash } from 'node:crypto';
import { ConfigError, StoreError } from '@testmax/auth';
import { createClient } from 'redis';

/**
 * The part of a node-redis client this package uses: one raw command with a timeout. Any
 * `createClient()` result fits, with or without modules, RESP2 or RESP3.
 */
export interface RedisClientLike {
  sendCommand(args: readonly string[], options?: { timeout?: number }): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** Where the Redis is: a client you own (and close), or a URL the store connects to itself. */
export type RedisSource =
  | {
      /** A connected node-redis client; the store never closes it. */
      client: RedisClientLike;
      url?: undefined;
    }
  | {
      /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…`; the store owns this connection. */
      url: string;
      client?: undefined;
    };

export interface RedisConnectionOptions {
  /** Prefix of every key; default `testmax:`. */
  keyPrefix?: string;
  /**
   * The longest any call waits for Redis, in ms, connecting included; default 1 000. Redis
   * down, slow or hung is a {@link StoreError} after at most this, never a hang.
   */
  commandTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'testmax:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/** A Lua script and its SHA-1, so it is sent once and run by hash afterwards. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export interface RedisConnection {
  readonly keyPrefix: string;
  command(args: readonly string[]): Promise<unknown>;
  run(script: Script, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Commands that fail fast: each has a timeout (node-redis's per-command `timeout`); a client
 * made from a URL has no offline queue (a command while Redis is away fails at once instead
 * of waiting for a reconnection) and reconnects in the background with capped back-off.
 */
export function redisConnection(source: RedisSource & RedisConnectionOptions): RedisConnection {
  const keyPrefix = source.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string') throw new ConfigError('keyPrefix must be a string.');
  const timeoutMs = source.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new ConfigError(`commandTimeoutMs must be a whole number of ms >= 1, got ${String(timeoutMs)}.`);
  }
  if (source.client !== undefined && source.url !== undefined) {
    throw new ConfigError('Give either a Redis client or a URL, not both.');
  }
  let where: string;
  let owned: ReturnType<typeof createOwnedClient> | undefined;
  let given: RedisClientLike | undefined;
  let tls = false;
  if (source.client !== undefined) {
    if (typeof source.client?.sendCommand !== 'function') {
      throw new ConfigError('client must be a node-redis client (from createClient() of the redis package).');
    }
    given = source.client;
    where = 'the given Redis client';
  } else if (typeof source.url === 'string') {
    where = `Redis at ${describeUrl(source.url)}`;
    owned = createOwnedClient(source.url, timeoutMs);
    tls = source.url.startsWith('rediss:');
  } else {
    throw new ConfigError('Give a Redis client ({ client }) or a URL ({ url }).');
  }
  let closed = false;

  async function ready(deadline: number): Promise<RedisClientLike> {
    if (closed) throw new StoreError(`The Redis store was closed.`, { reason: 'invalid' });
    if (given) {
      if (!given.isOpen) {
        throw new StoreError(`${capitalised(where)} is not connected; call client.connect() first.`, {
          reason: 'invalid',
        });
      }
      return given;
    }
    const client = owned!.start();
    if (!client.isReady) {
      // A refusal that waiting will not cure (a wrong password) fails at once, for as long as
      // Redis keeps giving it. Otherwise only the first calls wait for the connection; later, a
      // Redis that went away fails at once.
      if (!misconfiguration(owned!.lastError())) await owned!.connectedOrRefused(deadline - Date.now());
      if (!client.isReady) {
        const cause = owned!.lastError();
        const refused = misconfiguration(cause);
        if (refused) throw new StoreError(`${capitalised(where)} ${refused}.`, { reason: 'invalid', cause });
        // A TLS client talking to a plain port sees no error at all, only silence.
        const hint = tls ? '; with rediss://, check that this port speaks TLS' : '';
        throw new StoreError(
          `${capitalised(where)} is not reachable (no connection within ${timeoutMs} ms${hint}).`,
          { cause },
        );
      }
    }
    return client;
  }

  async function command(args: readonly string[]): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    const client = await ready(deadline);
    const remainingMs = Math.max(1, deadline - Date.now());
    // node-redis's own `timeout` covers a command only until it is written: one sent to a
    // Redis that then hangs would wait for ever. The deadline here covers the reply too; the
    // late reply, if any, is read and dropped by node-redis (the stream stays in step).
    const sent = client.sendCommand(args, { timeout: remainingMs });
    sent.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError(`${capitalised(where)} did not answer within ${timeoutMs} ms.`)),
        remainingMs,
      );
    });
    try {
      return await Promise.race([sent, expired]);
    } catch (error) {
      throw storeError(error, where, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    keyPrefix,
    command,
    async run(script, keys, args) {
      const tail = [String(keys.length), ...keys, ...args];
      try {
        return await command(['EVALSHA', script.sha, ...tail]);
      } catch (error) {
        // A Redis that restarted (or never saw the script) answers NOSCRIPT: send it once.
        const cause = (error as StoreError).cause as Error | undefined;
        if (!/^NOSCRIPT/.test(cause?.message ?? '')) throw error;
        return command(['EVAL', script.source, ...tail]);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await owned?.close();
    },
  };
}

function createOwnedClient(url: string, timeoutMs: number) {
  let client: ReturnType<typeof createClient> | undefined;
  let connected: Promise<void> = Promise.resolve();
  let lastError: unknown;
  /** Callers waiting for the connection: woken when it is ready or refused for good. */
  const waiting = new Set<() => void>();
  const wake = () => {
    for (const resolve of waiting) resolve();
    waiting.clear();
  };
  return {
    /** Connect on first use, so a store nobody calls opens no socket. */
    start(): RedisClientLike {
      if (!client) {
        client = createClient({
          url,
          disableOfflineQueue: true,
          socket: {
            connectTimeout: timeoutMs,
            // Back-off from 50 ms doubling to 5 s, with jitter, forever: Redis coming back is
            // picked up without anyone waiting for it.
            reconnectStrategy: (retries: number) =>
              Math.min(5_000, 50 * 2 ** retries) * (0.5 + Math.random() / 2),
          },
        });
        // Without a listener an 'error' event would crash the process; the error reaches
        // callers as a StoreError instead.
        client.on('error', (error: unknown) => {
          lastError = error;
          if (misconfiguration(error)) wake();
        });
        // An old refusal says nothing about a connection that works (or is lost later).
        client.on('ready', () => {
          lastError = undefined;
          wake();
        });
        connected = client.connect().then(
          () => {},
          (error: unknown) => {
            lastError = error;
          },
        );
      }
      return client as unknown as RedisClientLike;
    },
    /** Wait for the connection, at most `ms`; no longer once Redis refuses it for good. */
    connectedOrRefused(ms: number): Promise<void> {
      let wakeMe: () => void = () => {};
      const refused = new Promise<void>((resolve) => {
        wakeMe = resolve;
        waiting.add(resolve);
      });
      return settledWithin(Promise.race([connected, refused]), ms).finally(() => waiting.delete(wakeMe));
    },
    lastError: () => lastError,
    async close() {
      if (!client) return;
      // destroy(), not close(): close() waits for pending replies, which a hung Redis never sends.
      client.destroy();
      await connected;
    },
  };
}

function storeError(error: unknown, where: string, timeoutMs: number): StoreError {
  if (error instanceof StoreError) return error;
  const name = (error as Error | undefined)?.constructor?.name;
  if (name === 'TimeoutError') {
    return new StoreError(`${capitalised(where)} did not answer within ${timeoutMs} ms.`, { cause: error });
  }
  if (
    name === 'ClientOfflineError' ||
    name === 'ClientClosedError' ||
    name === 'SocketClosedUnexpectedlyError'
  ) {
    return new StoreError(`${capitalised(where)} is not reachable (connection lost; reconnecting).`, {
      cause: error,
    });
  }
  return new StoreError(`${capitalised(where)} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/**
 * What a refusal means when it will not go away by waiting (Redis's own words, which never
 * hold the password, in brackets), or `undefined` for Redis being away or slow.
 */
function misconfiguration(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const text = error.message;
  const code = (error as { code?: unknown }).code;
  if (/^WRONGPASS\b/.test(text)) return 'refused the password (WRONGPASS: wrong user name or password)';
  if (/^NOAUTH\b/.test(text))
    return 'refused the password (NOAUTH: it needs one; give it in the URL, redis://:PASSWORD@host)';
  if (/^ERR\b.*(without any password configured|AUTH.*no password)/i.test(text))
    return 'refused the password (it has none set; leave it out of the URL)';
  if (/^ERR\b.*DB index is out of range/i.test(text) || /^ERR invalid DB index/i.test(text))
    return 'has no such DB (ERR DB index is out of range; check the /DB number in the URL)';
  if (typeof code === 'string' && (/^ERR_(SSL|TLS)_/.test(code) || CERT_ERRORS.has(code)))
    return `refused the TLS handshake (${code}; check rediss:// and the server certificate)`;
  return undefined;
}

/** Node's codes for a certificate it would not accept. */
const CERT_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Host and port only: a Redis URL may carry a password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('not redis');
    return parsed.host || 'localhost';
  } catch {
    throw new ConfigError('url must be a redis:// or rediss:// URL.');
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Wait for `promise`, at most `ms`; leaves no timer behind. */
function settledWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms));
    }),
  ]).finally(() => clearTimeout(timer));
}
