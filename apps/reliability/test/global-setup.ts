import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTS_DIR } from './helpers/counts.js';

export function setup(): void {
  rmSync(COUNTS_DIR, { recursive: true, force: true });
}

/** Print one line saying how much was exercised, whichever files ran. */
export function teardown(): void {
  const totals: Record<string, number> = {};
  let files: string[] = [];
  try {
    files = readdirSync(COUNTS_DIR);
  } catch {
    return;
  }
  for (const file of files) {
    const counts = JSON.parse(readFileSync(join(COUNTS_DIR, file), 'utf8')) as Record<string, number>;
    for (const [name, n] of Object.entries(counts)) totals[name] = (totals[name] ?? 0) + n;
  }
  // The fault matrix is in the slow suite, fuzzing in the everyday one: say what this run did.
  const cells = (totals.sdkCells ?? 0) + (totals.cliCells ?? 0);
  const said = [
    cells > 0
      ? `fault matrix: ${cells} cells (SDK ${totals.sdkCells ?? 0}, CLI ${totals.cliCells ?? 0})`
      : '',
    totals.fuzzRuns ? `fuzz: ${totals.fuzzRuns} runs` : '',
  ].filter(Boolean);
  if (said.length > 0) console.log(said.join(', '));
}
