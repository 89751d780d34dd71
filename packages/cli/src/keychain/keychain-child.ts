/**
 * The OS keychain, in a process of its own. @napi-rs/keyring blocks the thread that calls it
 * (on Linux even `new Entry()` waits on D-Bus), and a keychain that never answers would hang
 * the CLI beyond any timeout, worker threads included (process.exit waits for them). A child
 * process can be killed. The request comes on stdin (so the key is never in argv or the
 * environment), one JSON line of answer goes to stdout.
 */
import { createRequire } from 'node:module';
import type { KeychainAnswer, KeychainRequest } from './keychain-protocol.js';

type Entry = {
  getPassword(): string | null;
  setPassword(password: string): void;
  deleteCredential(): boolean;
};
type EntryConstructor = new (
  service: string,
  account: string,
  options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
) => Entry;

function answer(value: KeychainAnswer): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * keyring-rs errors, by their text: "Platform failure: …" (no keychain here: no D-Bus, no Secret
 * Service) and "Couldn't access platform storage" (there is one, but it refused: locked, or the
 * unlock prompt was dismissed). Their messages name the service and account, never the key.
 */
function classify(error: unknown): KeychainAnswer {
  const message = error instanceof Error ? error.message : String(error);
  if (/platform storage|no storage access|locked/i.test(message)) {
    return { ok: false, kind: 'refused', message };
  }
  if (/platform failure|dbus|secret service|not supported|no.*keyring/i.test(message)) {
    return { ok: false, kind: 'unavailable', message };
  }
  return { ok: false, kind: 'error', message };
}

async function readRequest(): Promise<KeychainRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as KeychainRequest;
}

async function main(): Promise<void> {
  const request = await readRequest();
  let Entry: EntryConstructor;
  try {
    ({ Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as { Entry: EntryConstructor });
  } catch (error) {
    // No prebuilt binary for this platform: as good as no keychain.
    answer({
      ok: false,
      kind: 'unavailable',
      message: `the keychain library cannot load here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    });
    return;
  }
  try {
    // On Linux, only the Secret Service: keyring-rs would otherwise fall back to the kernel's
    // keyring, which forgets everything at logout and cannot be sandboxed by the environment.
    const entry = new Entry(request.service, request.account, { linux: { store: 'secret-service' } });
    if (request.op === 'get') answer({ ok: true, value: entry.getPassword() });
    else if (request.op === 'set') {
      entry.setPassword(request.secret ?? '');
      answer({ ok: true, value: null });
    } else answer({ ok: true, value: null, deleted: entry.deleteCredential() });
  } catch (error) {
    answer(classify(error));
  }
}

main().catch((error: unknown) => {
  answer({ ok: false, kind: 'error', message: error instanceof Error ? error.message : String(error) });
});
