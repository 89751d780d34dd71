import {
  type SecretService,
  secretServiceAvailable,
  startSecretService,
  startSilentBus,
} from '@testmax/test-support/secret-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The built modules: the keychain runs its helper process from dist.
import { keychainEntry } from '../dist/keychain/key-scope.js';
import { osKeychain } from '../dist/keychain/os-keychain.js';
import { readKeychainEntry as readEntryDirectly } from './keychain-helpers.js';

const scope = { baseUrl: 'http://127.0.0.1:4010', userName: 'Trader@Example.com' };
const KEY = 'tmx_keychain_test_key_0123456789abcdef';

describe.runIf(secretServiceAvailable())('the OS keychain on a real Secret Service', () => {
  let service: SecretService;
  beforeAll(async () => {
    service = await startSecretService();
  });
  afterAll(() => service?.stop());

  it('stores, reads and deletes a key, under service testmax:<base URL> and the user name', async () => {
    const keychain = osKeychain(service.env);
    expect(await keychain.get(scope)).toEqual({ ok: true, value: null });
    expect(await keychain.set(scope, KEY)).toEqual({ ok: true, value: undefined });

    const entry = keychainEntry(scope);
    expect(entry).toEqual({ service: 'testmax:http://127.0.0.1:4010', account: 'trader@example.com' });
    expect(readEntryDirectly(service.env, entry.service, entry.account)).toBe(KEY);
    expect(await keychain.get(scope)).toEqual({ ok: true, value: KEY });
    // The user name is compared without case, as the API does.
    expect(await keychain.get({ ...scope, userName: 'trader@example.com' })).toEqual({
      ok: true,
      value: KEY,
    });

    expect(await keychain.delete(scope)).toEqual({ ok: true, value: true });
    expect(readEntryDirectly(service.env, entry.service, entry.account)).toBeNull();
    expect(await keychain.delete(scope)).toEqual({ ok: true, value: false });
  });

  it('keeps one entry per base URL, user and profile', async () => {
    const keychain = osKeychain(service.env);
    const paper = { ...scope, profile: 'paper' };
    const other = { ...scope, baseUrl: 'https://api.test-max.com/api/topstep-sim' };
    await keychain.set(scope, `${KEY}-default`);
    await keychain.set(paper, `${KEY}-paper`);
    await keychain.set(other, `${KEY}-other`);
    expect(keychainEntry(paper).service).toBe('testmax:http://127.0.0.1:4010 profile paper');
    expect(await keychain.get(scope)).toEqual({ ok: true, value: `${KEY}-default` });
    expect(await keychain.get(paper)).toEqual({ ok: true, value: `${KEY}-paper` });
    expect(await keychain.get(other)).toEqual({ ok: true, value: `${KEY}-other` });
    await keychain.delete(paper);
    expect(await keychain.get(paper)).toEqual({ ok: true, value: null });
    expect(await keychain.get(scope)).toEqual({ ok: true, value: `${KEY}-default` });
    await keychain.delete(scope);
    await keychain.delete(other);
  });
});

describe.runIf(secretServiceAvailable())('a keychain that refuses or never answers', () => {
  it('a locked keyring: refused, with the reason, and nothing stored', async () => {
    await using locked = await startSecretService({ locked: true });
    const keychain = osKeychain(locked.env);
    const stored = await keychain.set(scope, KEY);
    expect(stored.ok).toBe(false);
    if (stored.ok) return;
    expect(stored.kind).toBe('refused');
    expect(stored.reason).toMatch(/refused access/);
    expect(stored.reason).not.toContain(KEY);
    // Nothing to find (a search of a locked keyring finds nothing), or refused again.
    const read = await keychain.get(scope);
    expect(read.ok ? read.value : read.kind).toBe(read.ok ? null : 'refused');
  });

  it('a bus that accepts and never answers: given up after the timeout, the helper killed', async () => {
    const bus = await startSilentBus();
    try {
      const keychain = osKeychain(
        { PATH: process.env.PATH ?? '', DBUS_SESSION_BUS_ADDRESS: bus.address },
        {
          timeoutMs: 1_500,
        },
      );
      const result = await keychain.get(scope);
      expect(result).toMatchObject({ ok: false, kind: 'timeout' });
      if (!result.ok) expect(result.reason).toMatch(/did not answer within 1\.5 s/);
      // It really talked to the bus (and hung there), rather than failing for another reason.
      expect(bus.connections).toBeGreaterThan(0);
      // The hung helper was killed: its connection closed, nothing is left waiting on the bus.
      await expect.poll(() => bus.open, { timeout: 10_000 }).toBe(0);
    } finally {
      await bus.close();
    }
  });
});

describe('without a keychain', () => {
  it('no D-Bus session: unavailable, saying why', async () => {
    const keychain = osKeychain({ PATH: process.env.PATH ?? '', HOME: '/nonexistent' });
    const result = await keychain.set(scope, KEY);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (process.platform === 'linux') {
      expect(result.kind).toBe('unavailable');
      expect(result.reason).toMatch(/DBUS_SESSION_BUS_ADDRESS is not set/);
    }
  });

  it('TESTMAX_KEYCHAIN=off: never asks the keychain at all', async () => {
    const bus = await startSilentBus();
    try {
      const keychain = osKeychain({ DBUS_SESSION_BUS_ADDRESS: bus.address, TESTMAX_KEYCHAIN: 'off' });
      expect(await keychain.get(scope)).toMatchObject({ ok: false, kind: 'disabled' });
      expect(await keychain.set(scope, KEY)).toMatchObject({ ok: false, kind: 'disabled' });
      expect(bus.connections).toBe(0);
    } finally {
      await bus.close();
    }
  });
});
