import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COUNTS_DIR = join(import.meta.dirname, '..', '..', '.test-results', 'counts');

/**
 * Each test file records how many cells or fuzz runs it executed; the global set-up's teardown
 * adds them up into the run's summary line.
 */
export function recordCount(file: string, counts: Record<string, number>): void {
  mkdirSync(COUNTS_DIR, { recursive: true });
  writeFileSync(join(COUNTS_DIR, `${file}.json`), JSON.stringify(counts));
}
