import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Bump = 'patch' | 'minor' | 'major';

export interface Changeset {
  file: string;
  releases: Map<string, Bump>;
  summary: string;
}

/** The pending changesets in a `.changeset` directory, parsed from their frontmatter. */
export function readChangesets(changesetDir: string): Changeset[] {
  return readdirSync(changesetDir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => {
      const text = readFileSync(join(changesetDir, file), 'utf8');
      const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
      if (!match) throw new Error(`${file}: no frontmatter`);
      const releases = new Map<string, Bump>();
      for (const line of (match[1] ?? '').split(/\r?\n/).filter((l) => l.trim())) {
        const release = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line);
        if (!release) throw new Error(`${file}: cannot read "${line}"`);
        releases.set(release[1] as string, release[2] as Bump);
      }
      return { file, releases, summary: (match[2] ?? '').trim() };
    });
}

export function bumpVersion(version: string, bump: Bump): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

const ORDER: Bump[] = ['patch', 'minor', 'major'];
export function highest(bumps: Bump[]): Bump | undefined {
  return bumps.sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0];
}

export { CHANGESET_BIN, copyForVersioning } from '../scripts/versioning-copy.mjs';
