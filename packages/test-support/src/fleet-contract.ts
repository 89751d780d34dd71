/**
 * How sessions sharing a token store behave as a fleet (DESIGN.md "Fleet"), written once and
 * run against every store — memory (sessions of one process), file, Redis — with real
 * sessions against the real simulator. The caller passes its `AuthSession` and the simulator
 * (this package depends on neither: their tests depend on it).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from './manual-clock.js';
import type { StoreBacking, StoreUnderTest } from './token-store-contract.js';

export interface FleetSession {
  getSessionToken(options?: { signal?: AbortSignal }): Promise<string>;
  accounts(): Promise<unknown[]>;
  validate(): Promise<{ renewed: boolean }>;
  logout(): Promise<{ revoked: boolean }>;
  readonly isAuthenticated: boolean;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface FleetSimulator {
  readonly url: string;
  calls(path?: string): number;
  inject(path: string, fault: Record<string, unknown>): void;
  revokeAllTokens(): void;
  close(): Promise<void>;
}

export interface FleetUser {
  readonly userName: string;
  readonly apiKey: string;
}

export interface FleetContractOptions {
  /** A session of the caller's `AuthSession`: `new AuthSession(options)`. */
  session(options: Record<string, unknown>): FleetSession;
  /** The simulator with these users (`startMockServer({ users, now? })`). */
  simulator(options: {
    users: FleetUser[];
    now?: () => number;
    tokenLifetimeSec?: number;
  }): Promise<FleetSimulator>;
  /**
   * A fresh, empty place to store tokens for each test (as in the TokenStore contract), with a
   * `dump()` of everything that reached it: required here (a store without storage of its own,
   * the memory store, dumps what it was handed).
   */
  backing(): Promise<StoreBacking>;
}

const ALICE: FleetUser = { userName: 'alice@fleet.test', apiKey: 'tmx_fleet_alice_key_0001' };
const BOB: FleetUser = { userName: 'bob@fleet.test', apiKey: 'tmx_fleet_bob_key_00002' };

export function describeFleetContract(name: string, options: FleetContractOptions): void {
  describe(`sessions sharing a store: ${name}`, () => {
    let backing: StoreBacking;
    let server: FleetSimulator;
    const stores: StoreUnderTest[] = [];
    const warnings: string[] = [];
    const logger = { debug: () => {}, warn: (message: string) => warnings.push(message) };

    const open = async () => {
      const store = await backing.open();
      stores.push(store);
      return store;
    };
    /** A session of `user` on a store of its own instance (for shared stores: a connection of its own). */
    const session = async (extra: Record<string, unknown> = {}, user: FleetUser = ALICE) =>
      options.session({
        ...user,
        baseUrl: server.url,
        store: await open(),
        retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
        logger,
        ...extra,
      });
    const scope = (user: FleetUser = ALICE) => ({ baseUrl: server.url, userName: user.userName });

    beforeEach(async () => {
      backing = await options.backing();
      warnings.length = 0;
    });
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close?.();
      await server?.close();
      await backing.dispose();
    });

    it('N sessions, cold, many callers each: exactly one login, one token', async () => {
      server = await options.simulator({ users: [ALICE] });
      const fleet = await Promise.all(Array.from({ length: 4 }, () => session()));
      const tokens = await Promise.all(
        fleet.flatMap((s) => Array.from({ length: 25 }, () => s.getSessionToken())),
      );
      expect(new Set(tokens).size).toBe(1);
      expect(server.calls('/Auth/loginKey')).toBe(1);
      expect((await stores[0]!.get(scope()))?.token).toBe(tokens[0]);
      expect(warnings).toEqual([]);
    });

    it('a session that finds a newer token in the store uses it instead of refreshing itself', async () => {
      const clock = new ManualClock();
      server = await options.simulator({ users: [ALICE], now: clock.now, tokenLifetimeSec: 1000 });
      const [a, b] = [await session({ clock }), await session({ clock })];
      const first = await a.getSessionToken();
      expect(await b.getSessionToken()).toBe(first);
      clock.advance(800_000);
      await a.getSessionToken(); // past the refresh point: a renews in the background
      await vi.waitFor(async () => expect((await stores[0]!.get(scope()))?.token).not.toBe(first), {
        interval: 5,
      });
      const renewed = (await stores[0]!.get(scope()))?.token;
      await b.getSessionToken(); // b's token is past its refresh point too: it looks at the store first
      // (When it met a's refresh still holding the lock, it looks again a moment later.)
      await vi.waitFor(
        async () => {
          clock.advance(300);
          expect(await b.getSessionToken()).toBe(renewed);
        },
        { interval: 5 },
      );
      expect(server.calls('/Auth/validate')).toBe(1);
      expect(server.calls('/Auth/loginKey')).toBe(1);
    });

    it('N sessions past the refresh point at once: one refresh, and nobody loses the session', async () => {
      const clock = new ManualClock();
      server = await options.simulator({ users: [ALICE], now: clock.now, tokenLifetimeSec: 1000 });
      const fleet = await Promise.all(Array.from({ length: 4 }, () => session({ clock })));
      const first = await fleet[0]!.getSessionToken();
      for (const s of fleet) expect(await s.getSessionToken()).toBe(first);
      clock.advance(800_000);
      // Everyone starts a refresh in the background and keeps calling meanwhile.
      for (let round = 0; round < 5; round++) {
        const lists = await Promise.all(fleet.map((s) => s.accounts()));
        expect(lists.every((list) => list.length > 0)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const renewed = (await stores[0]!.get(scope()))?.token;
      expect(renewed).not.toBe(first);
      // Those that found the refresh under way look at the store again a moment later.
      await vi.waitFor(
        async () => {
          clock.advance(300);
          for (const s of fleet) expect(await s.getSessionToken()).toBe(renewed);
        },
        { interval: 5 },
      );
      expect(server.calls('/Auth/validate')).toBe(1);
      expect(server.calls('/Auth/loginKey')).toBe(1);
      expect(server.calls('/Auth/logout')).toBe(0);
    });

    it('a refused token is marked refused for everybody: N sessions, one login again', async () => {
      server = await options.simulator({ users: [ALICE] });
      const fleet = await Promise.all(Array.from({ length: 3 }, () => session()));
      const first = await fleet[0]!.getSessionToken();
      for (const s of fleet) expect(await s.getSessionToken()).toBe(first);
      server.revokeAllTokens();
      const lists = await Promise.all(fleet.map((s) => s.accounts()));
      expect(lists.every((list) => list.length > 0)).toBe(true);
      expect(server.calls('/Auth/loginKey')).toBe(2);
      const tokens = new Set(await Promise.all(fleet.map((s) => s.getSessionToken())));
      expect(tokens.size).toBe(1);
      expect(tokens.has(first)).toBe(false);
    });

    it('logout by one session logs the fleet out: revoked on the server, gone from the store', async () => {
      server = await options.simulator({ users: [ALICE] });
      const [a, b] = [await session(), await session()];
      const token = await a.getSessionToken();
      expect(await b.getSessionToken()).toBe(token);
      expect(await a.logout()).toEqual({ revoked: true });
      expect(await stores[0]!.get(scope())).toBeUndefined();
      // b still holds the revoked token: the server refuses it, and b never brings it back.
      await expect(b.validate()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
      expect(await b.getSessionToken()).not.toBe(token);
      expect(server.calls('/Auth/loginKey')).toBe(2);
    });

    it('a disposed session that shares the store detaches: no logout, the fleet keeps the token', async () => {
      server = await options.simulator({ users: [ALICE] });
      const a = await session();
      const token = await a.getSessionToken();
      await a[Symbol.asyncDispose]();
      expect(server.calls('/Auth/logout')).toBe(0);
      expect(a.isAuthenticated).toBe(false);
      const b = await session();
      expect(await b.getSessionToken()).toBe(token);
      expect(await b.accounts()).not.toHaveLength(0);
      expect(server.calls('/Auth/loginKey')).toBe(1);
    });

    it('…unless made with logoutOnDispose: then dispose logs the fleet out', async () => {
      server = await options.simulator({ users: [ALICE] });
      const a = await session({ logoutOnDispose: true });
      await a.getSessionToken();
      await a[Symbol.asyncDispose]();
      expect(server.calls('/Auth/logout')).toBe(1);
      expect(await stores[0]!.get(scope())).toBeUndefined();
    });

    it('sessions of different users never share a token', async () => {
      server = await options.simulator({ users: [ALICE, BOB] });
      const [a, b] = [await session({}, ALICE), await session({}, BOB)];
      const [ta, tb] = await Promise.all([a.getSessionToken(), b.getSessionToken()]);
      expect(ta).not.toBe(tb);
      expect(server.calls('/Auth/loginKey')).toBe(2);
      expect((await stores[0]!.get(scope(ALICE)))?.token).toBe(ta);
      expect((await stores[0]!.get(scope(BOB)))?.token).toBe(tb);
      expect(await a.accounts()).not.toHaveLength(0);
      expect(await b.accounts()).not.toHaveLength(0);
    });

    it('the API key never reaches the store', async () => {
      server = await options.simulator({ users: [ALICE] });
      const a = await session();
      const token = await a.getSessionToken();
      expect(
        backing.dump,
        'the fleet contract needs backing.dump() to see what reached the store',
      ).toBeDefined();
      const raw = await backing.dump!();
      // The dump sees what was written (else the check below could not fail).
      expect(raw.text).toContain(token);
      expect(`${raw.names.join('\n')}\n${raw.text}`).not.toContain(ALICE.apiKey);
    });
  });
}
