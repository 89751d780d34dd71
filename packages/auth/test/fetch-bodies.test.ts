import { describe, expect, it } from 'vitest';
import { NetworkError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const onlyActive = JSON.stringify({ onlyActiveAccounts: true });
const accountsIn = async (response: Response) =>
  ((await response.json()) as { accounts: unknown[] }).accounts.length;

describe('session.fetch bodies kept as they are (not copied through a Request)', () => {
  it('re-sends an ArrayBuffer, a Uint8Array and an offset view intact after a 401', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const bytes = new TextEncoder().encode(onlyActive);
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    const bodies = [bytes.buffer, bytes, padded.subarray(4, 4 + bytes.length)];
    for (const body of bodies) {
      server.revokeAllTokens();
      const response = await session.fetch('/Account/search', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      // An empty or garbled body would list all three accounts (or fail): two proves it was re-sent.
      expect(await accountsIn(response)).toBe(2);
    }
    expect(server.calls('/Auth/loginKey')).toBe(1 + bodies.length);
  });

  it("never writes the bearer into the caller's own Headers object", async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const headers = new Headers({ 'content-type': 'application/json' });
    const response = await session.fetch('/Account/search', { method: 'POST', headers, body: onlyActive });
    expect(await accountsIn(response)).toBe(2);
    expect(headers.has('authorization')).toBe(false);
  });

  it('a GET with a body is refused like fetch refuses it (TypeError), not as a network failure', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const error = await rejectionOf(session.fetch('/Status/ping', { method: 'GET', body: 'x' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(server.calls()).toBe(0);
  });
});
