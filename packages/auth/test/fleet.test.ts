import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { startMockServer } from '@testmax/mock-server';
import { describeFleetContract, type FleetContractOptions } from '@testmax/test-support/fleet-contract';
import { AuthSession, type AuthSessionOptions, memoryTokenStore, type TokenStore } from '../src/index.js';
import { fileTokenStore } from '../src/node.js';
import { addSecret, guardUnhandledRejections } from './helpers/capture.js';
import { observingFetch } from './helpers/server.js';

guardUnhandledRejections();

const common: Omit<FleetContractOptions, 'backing'> = {
  session: (options) => {
    addSecret(options.apiKey as string);
    return new AuthSession({ fetch: observingFetch, ...(options as unknown as AuthSessionOptions) });
  },
  simulator: (options) => startMockServer(options),
};

/**
 * `store`, with every argument handed to it noted: a memory store has no storage to read, so
 * what reached it is what it was given.
 */
function watched(store: TokenStore): { store: TokenStore; received: string[] } {
  const received: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        received.push(`${String(property)} ${inspect(args, { depth: 8 })}`);
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, received };
}

describeFleetContract('memoryTokenStore (sessions of one process)', {
  ...common,
  async backing() {
    const { store, received } = watched(memoryTokenStore());
    return {
      open: () => store,
      dump: async () => ({ names: [], text: received.join('\n') }),
      dispose: async () => {},
    };
  },
});

describeFleetContract('fileTokenStore', {
  ...common,
  async backing() {
    const dir = mkdtempSync(join(tmpdir(), 'testmax-fleet-'));
    return {
      open: () => fileTokenStore({ path: dir, onWarning: () => {} }),
      async dump() {
        const names = readdirSync(dir);
        const text = names.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
        return { names, text };
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
