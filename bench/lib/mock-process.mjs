import { fork } from 'node:child_process';
import { join } from 'node:path';

/** Start the mock server in a child process; resolves to `{ url, close }`. */
export function startMockProcess(options = {}) {
  const child = fork(join(import.meta.dirname, 'mock-child.mjs'), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
    child.once('message', ({ url }) => {
      child.removeAllListeners('exit');
      resolve({
        url,
        close: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.send('close');
          }),
      });
    });
  });
}
