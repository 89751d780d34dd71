import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Read a keychain entry with @napi-rs/keyring directly, in a process on `env` (a private
 * Secret Service's): the check does not go through the code under test. Never printed.
 */
export function readKeychainEntry(
  env: Record<string, string>,
  service: string,
  account: string,
): string | null {
  const library = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  const script = `const { Entry } = require(${JSON.stringify(library)});
const entry = new Entry(process.argv[1], process.argv[2], { linux: { store: 'secret-service' } });
process.stdout.write(JSON.stringify(entry.getPassword()));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, service, account], { env }).toString());
}
