import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockServer } from '@testmax/mock-server';
import { describeFleetContract, type FleetContractOptions } from '@testmax/test-support/fleet-contract';
import { AuthSession, type AuthSessionOptions, memoryTokenStore } from '../src/index.js';
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

describeFleetContract('memoryTokenStore (sessions of one process)', {
  ...common,
  async backing() {
    const store = memoryTokenStore();
    return { open: () => store, dispose: async () => {} };
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
