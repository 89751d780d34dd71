/**
 * The TokenStore contract of @testmax/auth, written once and run against every store (memory,
 * file, Redis, and any a user writes). The types are structural copies of auth's interfaces:
 * this package cannot depend on auth (auth's tests depend on it), and a real store passed in is
 * checked against them at the call site.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export interface Scope {
  readonly baseUrl: string;
  readonly userName: string;
  readonly profile?: string | undefined;
}
interface Stored {
  readonly token: string;
  readonly generation: number;
  readonly receivedAt: number;
  readonly refused?: boolean | undefined;
}
interface Lock {
  release(): Promise<void>;
}
export interface StoreUnderTest {
  get(scope: Scope): Promise<Stored | undefined>;
  compareAndSet(
    scope: Scope,
    expectedGeneration: number,
    record: { token: string; receivedAt: number; refused?: boolean },
  ): Promise<Stored | undefined>;
  delete(scope: Scope, expectedGeneration?: number): Promise<boolean>;
  tryLock(scope: Scope, ttlMs: number): Promise<Lock | undefined>;
  close?(): Promise<void>;
}

/** One empty place to store tokens (a directory, a key prefix); every store opened on it shares it. */
export interface StoreBacking {
  /** A store on this backing: for a shared store a new instance (a new client), else the same one. */
  open(): StoreUnderTest | Promise<StoreUnderTest>;
  /** What the backing holds, raw: key or file names, and every value as text. */
  dump?(): Promise<{ names: string[]; text: string }>;
  dispose(): Promise<void>;
}

export interface TokenStoreContractOptions {
  /** A fresh, empty backing for each test. */
  backing(): Promise<StoreBacking>;
  /**
   * A lock TTL that tests wait out for real: long enough that the lock is surely still held
   * right after taking it on a loaded machine, short enough to wait. Default 500 ms.
   */
  ttlMs?: number;
  /**
   * `false` for a store that keeps no key or file names (the memory store): the test that names
   * are hashes does not apply and is not registered. Every other store must give `backing.dump()`.
   */
  storageNames?: false;
}

const SCOPE: Scope = { baseUrl: 'https://api.test-max.com/api/topstep-sim', userName: 'trader@example.com' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const record = (token: string, extra: { refused?: boolean; receivedAt?: number } = {}) => ({
  token,
  receivedAt: extra.receivedAt ?? 1_767_225_600_000,
  ...(extra.refused ? { refused: true } : {}),
});

/** Register the contract's tests for a store, inside a `describe` named `name`. */
export function describeTokenStoreContract(name: string, options: TokenStoreContractOptions): void {
  const ttlMs = options.ttlMs ?? 500;

  describe(`TokenStore contract: ${name}`, () => {
    let backing: StoreBacking;
    const opened: StoreUnderTest[] = [];
    const open = async () => {
      const store = await backing.open();
      opened.push(store);
      return store;
    };

    beforeEach(async () => {
      backing = await options.backing();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close?.();
      await backing.dispose();
    });

    describe('get and compareAndSet', () => {
      it('has nothing for a scope never written', async () => {
        const store = await open();
        expect(await store.get(SCOPE)).toBeUndefined();
      });

      it('stores at generation 1 from 0, then one more on every write, and get tells the same', async () => {
        const store = await open();
        const first = await store.compareAndSet(SCOPE, 0, record('token-1', { receivedAt: 1000 }));
        expect(first).toMatchObject({ token: 'token-1', generation: 1, receivedAt: 1000 });
        expect(first?.refused).toBeFalsy();
        const second = await store.compareAndSet(SCOPE, 1, record('token-2', { receivedAt: 2000 }));
        expect(second).toMatchObject({ token: 'token-2', generation: 2, receivedAt: 2000 });
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-2', generation: 2, receivedAt: 2000 });
      });

      it('refuses a write whose expected generation is stale, and keeps what is stored', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        await store.compareAndSet(SCOPE, 1, record('token-2'));
        expect(await store.compareAndSet(SCOPE, 1, record('late'))).toBeUndefined();
        expect(await store.compareAndSet(SCOPE, 0, record('late'))).toBeUndefined();
        expect(await store.compareAndSet(SCOPE, 7, record('ahead'))).toBeUndefined();
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-2', generation: 2 });
      });

      it('lets exactly one of many concurrent writers of one generation win, across store instances', async () => {
        const stores = [await open(), await open()];
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => stores[i % 2]!.compareAndSet(SCOPE, 0, record(`token-${i}`))),
        );
        const winners = results.filter((result) => result !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]?.generation).toBe(1);
        expect((await stores[1]!.get(SCOPE))?.token).toBe(winners[0]?.token);
      });

      it('keeps the refused mark a writer sets on the next generation', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        const marked = await store.compareAndSet(SCOPE, 1, record('token-1', { refused: true }));
        expect(marked).toMatchObject({ token: 'token-1', generation: 2, refused: true });
        expect((await store.get(SCOPE))?.refused).toBe(true);
      });

      it('hands out the token readably but never shows it in util.inspect or JSON', async () => {
        const store = await open();
        const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0LXNpZ25hdHVyZQ';
        const stored = await store.compareAndSet(SCOPE, 0, record(secret));
        const got = await store.get(SCOPE);
        expect(got?.token).toBe(secret);
        for (const value of [stored, got]) {
          expect(inspect(value, { depth: 5 })).not.toContain(secret);
          expect(JSON.stringify(value)).not.toContain(secret);
        }
      });
    });

    describe('delete', () => {
      it('forgets the token; a writer then starts again from generation 0', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        expect(await store.delete(SCOPE)).toBe(true);
        expect(await store.get(SCOPE)).toBeUndefined();
        expect(await store.delete(SCOPE)).toBe(false);
        expect(await store.compareAndSet(SCOPE, 0, record('token-2'))).toMatchObject({ generation: 1 });
      });

      it('with an expected generation, deletes only that one', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        await store.compareAndSet(SCOPE, 1, record('token-2'));
        expect(await store.delete(SCOPE, 1)).toBe(false);
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-2', generation: 2 });
        expect(await store.delete(SCOPE, 2)).toBe(true);
        expect(await store.get(SCOPE)).toBeUndefined();
      });

      it('leaves the login lock alone, and the lock leaves the token alone', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        const lock = await store.tryLock(SCOPE, 60_000);
        expect(lock).toBeDefined();
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-1', generation: 1 });
        expect(await store.delete(SCOPE)).toBe(true);
        expect(await store.tryLock(SCOPE, 60_000)).toBeUndefined();
        await lock?.release();
        expect(await store.get(SCOPE)).toBeUndefined();
      });
    });

    describe('tryLock', () => {
      it('gives the lock to one holder at a time, across store instances; release lets the next in', async () => {
        const [a, b] = [await open(), await open()];
        const lock = await a.tryLock(SCOPE, 60_000);
        expect(lock).toBeDefined();
        expect(await b.tryLock(SCOPE, 60_000)).toBeUndefined();
        expect(await a.tryLock(SCOPE, 60_000)).toBeUndefined();
        await lock?.release();
        const next = await b.tryLock(SCOPE, 60_000);
        expect(next).toBeDefined();
        await next?.release();
      });

      it('gives the lock to exactly one of many concurrent takers', async () => {
        const stores = [await open(), await open()];
        const locks = await Promise.all(
          Array.from({ length: 12 }, (_, i) => stores[i % 2]!.tryLock(SCOPE, 60_000)),
        );
        expect(locks.filter((lock) => lock !== undefined)).toHaveLength(1);
      });

      it('lets the next holder in once the TTL has passed, without a release (a holder that died)', async () => {
        const [a, b] = [await open(), await open()];
        expect(await a.tryLock(SCOPE, ttlMs)).toBeDefined();
        expect(await b.tryLock(SCOPE, ttlMs)).toBeUndefined();
        await sleep(ttlMs + 100);
        expect(await b.tryLock(SCOPE, 60_000)).toBeDefined();
      });

      it('release is compare-and-delete: a lock that expired and was taken by another stays taken', async () => {
        const [a, b, c] = [await open(), await open(), await open()];
        const old = await a.tryLock(SCOPE, ttlMs);
        await sleep(ttlMs + 100);
        const current = await b.tryLock(SCOPE, 60_000);
        expect(current).toBeDefined();
        await old?.release();
        expect(await c.tryLock(SCOPE, 60_000)).toBeUndefined();
        await current?.release();
        expect(await c.tryLock(SCOPE, 60_000)).toBeDefined();
      });

      it('release twice is harmless and never rejects', async () => {
        const store = await open();
        const lock = await store.tryLock(SCOPE, 60_000);
        await lock?.release();
        const next = await store.tryLock(SCOPE, 60_000);
        await expect(lock?.release()).resolves.toBeUndefined();
        expect(await store.tryLock(SCOPE, 60_000)).toBeUndefined();
        await next?.release();
      });
    });

    describe('scopes', () => {
      const others: [string, Scope][] = [
        ['another base URL', { ...SCOPE, baseUrl: 'http://127.0.0.1:4010' }],
        ['another user', { ...SCOPE, userName: 'other@example.com' }],
        ['a profile', { ...SCOPE, profile: 'paper' }],
        ['another profile', { ...SCOPE, profile: 'live' }],
      ];

      it.each(others)('never shares a token or a lock with %s', async (_, other) => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-of-scope'));
        const lock = await store.tryLock(SCOPE, 60_000);
        expect(await store.get(other)).toBeUndefined();
        expect(await store.compareAndSet(other, 0, record('token-of-other'))).toMatchObject({
          generation: 1,
        });
        const otherLock = await store.tryLock(other, 60_000);
        expect(otherLock).toBeDefined();
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-of-scope', generation: 1 });
        expect(await store.delete(other)).toBe(true);
        expect(await store.get(SCOPE)).toMatchObject({ token: 'token-of-scope' });
        await otherLock?.release();
        expect(await store.tryLock(SCOPE, 60_000)).toBeUndefined();
        await lock?.release();
      });

      it('names one scope whatever the case of the user name or a trailing slash on the URL', async () => {
        const store = await open();
        await store.compareAndSet(SCOPE, 0, record('token-1'));
        const same = { baseUrl: `${SCOPE.baseUrl}/`, userName: 'Trader@Example.com' };
        expect(await store.get(same)).toMatchObject({ token: 'token-1', generation: 1 });
      });

      // A store without key or file names (the memory store) says so, and the test does not
      // apply to it: not registered rather than skipped, as nothing is left untested.
      const namedStorageIt = options.storageNames === false ? () => {} : it;
      namedStorageIt(
        'keys storage by a hash: neither the user name nor the host appears in a key or file name',
        async () => {
          const store = await open();
          await store.compareAndSet(SCOPE, 0, record('stored-token-value'));
          await store.tryLock(SCOPE, 60_000);
          expect(backing.dump, 'a store with key or file names must give backing.dump()').toBeDefined();
          const dump = await backing.dump!();
          expect(dump.text).toContain('stored-token-value'); // the dump sees what was written
          for (const name of dump.names) {
            expect(name).not.toContain('trader');
            expect(name).not.toContain('test-max.com');
          }
        },
      );
    });

    describe('bad arguments', () => {
      it.each([
        [
          'a scope without a user name',
          (s: StoreUnderTest) => s.get({ baseUrl: SCOPE.baseUrl, userName: '' }),
        ],
        ['a negative generation', (s: StoreUnderTest) => s.compareAndSet(SCOPE, -1, record('t'))],
        ['a fractional generation', (s: StoreUnderTest) => s.compareAndSet(SCOPE, 0.5, record('t'))],
        ['an empty token', (s: StoreUnderTest) => s.compareAndSet(SCOPE, 0, record(''))],
        [
          'a receivedAt that is not a time',
          (s: StoreUnderTest) => s.compareAndSet(SCOPE, 0, { token: 't', receivedAt: Number.NaN }),
        ],
        ['a TTL of 0', (s: StoreUnderTest) => s.tryLock(SCOPE, 0)],
        ['a delete of generation -1', (s: StoreUnderTest) => s.delete(SCOPE, -1)],
      ])('rejects %s with a clear TestMaxError, stores nothing', async (_, call) => {
        const store = await open();
        let result: Promise<unknown> | undefined;
        expect(() => {
          result = call(store);
        }).not.toThrow();
        const error = await result?.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_ERROR' });
        expect((error as Error).message).toMatch(/^[A-Z].*\.$/);
        expect(await store.get(SCOPE)).toBeUndefined();
      });
    });
  });
}
