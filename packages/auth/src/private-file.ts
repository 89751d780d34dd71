import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Write a file that holds a secret (a token file, the CLI's key file) atomically: a reader sees
 * the old content or the new, never half of it, and no temporary file is left behind. The file
 * is 0600 from creation and never chmod-ed afterwards: a chmod after the rename adds nothing and
 * fails when another process removes the file in between.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' with the mode: created 0600 (the umask can only take bits away), so there is no
    // moment at which another user could open it.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}
