import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTokenStoreContract } from '@testmax/test-support/token-store-contract';
import { memoryTokenStore } from '../src/index.js';
import { fileTokenStore } from '../src/node.js';

describeTokenStoreContract('memoryTokenStore', {
  storageNames: false,
  async backing() {
    // One process: sessions share a memory store by sharing the instance.
    const store = memoryTokenStore();
    return { open: () => store, dispose: async () => {} };
  },
});

describeTokenStoreContract('fileTokenStore', {
  async backing() {
    const dir = mkdtempSync(join(tmpdir(), 'testmax-file-store-'));
    return {
      open: () => fileTokenStore({ path: dir, onWarning: () => {} }),
      async dump() {
        const names = readdirSync(dir);
        const text = names
          .filter((name) => name.endsWith('.json'))
          .map((name) => readFileSync(join(dir, name), 'utf8'))
          .join('\n');
        return { names, text };
      },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
