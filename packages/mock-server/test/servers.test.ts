import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '@testmax/test-support/loopback';
import { startProcess } from '@testmax/test-support/processes';
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../src/index.js';
import { call, login } from './helpers/api.js';
import { SPEC_PATH } from './helpers/contract.js';

// The spec's local `servers` entry is what generated clients in every language offer as "the
// simulator": it must work against `testmax-mock` started exactly as this package's README
// starts it, and the simulator must serve every operation under it (no path prefix).

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));

interface ServerObject {
  url: string;
  description?: string;
  variables?: Record<string, { default: string }>;
}
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as {
  servers: ServerObject[];
  paths: Record<string, Record<string, unknown>>;
};
const local = spec.servers.find((server) => server.url.startsWith('http://127.0.0.1:'));

/** The local entry's URL with its variables filled in, as a generator's server helper does. */
function expand(server: ServerObject, values: Record<string, string>): string {
  return server.url.replace(
    /\{(\w+)\}/g,
    (_, name: string) => values[name] ?? server.variables![name]!.default,
  );
}

describe("the spec's local servers entry", () => {
  it('exists, on loopback, with a port variable whose default is the port the README starts on', () => {
    expect(local?.url).toBe('http://127.0.0.1:{port}');
    const readme = readFileSync(README, 'utf8');
    const started = [...readme.matchAll(/testmax-mock --port (\d+)/g)].map((match) => match[1]);
    expect(started.length).toBeGreaterThan(0);
    for (const port of started) expect(port).toBe(local!.variables!.port!.default);
  });

  it('reaches every operation of `testmax-mock --port N`, and the demo flow runs through it', async () => {
    const port = await freeLoopbackPort();
    await using simulator = await startProcess({
      command: process.execPath,
      args: [BIN, '--port', String(port)],
      ready: /listening on (http:\/\/\S+)/,
    });
    const baseUrl = expand(local!, { port: String(port) });
    expect(simulator.ready).toBe(baseUrl);

    // Each operation the spec has answers under the entry (no 404 or 405: no prefix is missing).
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) {
        const res = await call(baseUrl, path, {
          method: method.toUpperCase(),
          ...(method === 'post'
            ? { body: path === '/Auth/loginKey' ? { userName: 'x', apiKey: 'y' } : {} }
            : {}),
        });
        expect([200, 401], `${method} ${path}`).toContain(res.status);
      }
    }
    const token = await login(baseUrl, DEMO_USER.userName, DEMO_USER.apiKey);
    const search = await call(baseUrl, '/Account/search', { token, body: { onlyActiveAccounts: null } });
    expect(search.json.accounts).toHaveLength(DEMO_USER.accounts.length);
    expect((await call(baseUrl, '/Auth/logout', { token, body: {} })).json.success).toBe(true);
  });
});
