/**
 * The cache of earlier versions: one `session-<hash>.json` per base URL, user and profile with the token
 * in it. Decision: they are moved into the token store at the first command that finds them
 * (when the store holds nothing for that user yet), then deleted, so upgrading does not log
 * anybody out and no token is left where nothing reads it.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileTokenStore, isHeaderSafeToken, readRegularFile } from '@testmax/auth/node';
import type { Context } from './context.js';

const OLD_FILE = /^session-[0-9a-f]{24}\.json$/;

export async function migrateOldSessions(context: Context, store: FileTokenStore): Promise<void> {
  const names = await readdir(store.dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => OLD_FILE.test(n))) {
    const file = join(store.dir, name);
    const read = await readRegularFile(file, { maxBytes: 64 * 1024 }).catch(() => undefined);
    if (read?.kind !== 'text') continue;
    const old = parse(read.text);
    if (old) {
      const scope = { baseUrl: old.baseUrl, userName: old.userName, profile: old.profile };
      try {
        if (!(await store.get(scope))) {
          await store.compareAndSet(scope, 0, {
            token: old.token,
            receivedAt: Date.parse(old.savedAt) || Date.now(),
          });
        }
      } catch {
        continue; // the store cannot take it now: leave the old file for the next command
      }
    }
    await rm(file, { force: true }).catch(() => {});
    context.output.debug(`moved ${file} into the token cache`);
  }
}

interface OldSession {
  baseUrl: string;
  userName: string;
  profile?: string;
  token: string;
  savedAt: string;
}

function parse(text: string): OldSession | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const ok =
      v.version === 1 &&
      typeof v.baseUrl === 'string' &&
      typeof v.userName === 'string' &&
      typeof v.token === 'string' &&
      isHeaderSafeToken(v.token) &&
      typeof v.savedAt === 'string' &&
      (v.profile === undefined || typeof v.profile === 'string');
    return ok ? (v as unknown as OldSession) : undefined;
  } catch {
    return undefined;
  }
}
