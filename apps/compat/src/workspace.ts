import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import published from '../published.json' with { type: 'json' };

/** The repository root (apps/compat/src → ../../..). */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The packages we publish, in dependency order (shared with scripts/*.mjs). */
export const PUBLISHED: readonly PublishedPackage[] = published;

export interface PublishedPackage {
  name: string;
  dir: string;
  /** A file that exists once the package is built. */
  builtMarker: string;
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  license?: string;
  keywords?: string[];
  sideEffects?: boolean;
  files?: string[];
  main?: string;
  types?: string;
  engines?: { node?: string };
  bin?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  exports?: Record<string, string | { types?: string; default?: string; import?: string }>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
}

export function isBuilt(pkg: PublishedPackage): boolean {
  return existsSync(join(ROOT, pkg.dir, pkg.builtMarker));
}

/**
 * Whether TESTMAX_COMPAT_ONLY_BUILT=1 narrows the checks (a local-development switch). Tests that
 * need a package left out are then skipped, so CI must never run narrowed: with `CI` set this
 * throws instead (and .ci/run refuses to start with the variable set). turbo passes TESTMAX_* and
 * CI through to the tests, so a variable leaking in from a shell cannot go unnoticed.
 */
export function narrowedToBuilt(): boolean {
  const value = process.env.TESTMAX_COMPAT_ONLY_BUILT;
  if (value === undefined || value === '' || value === '0') return false;
  if (value !== '1') throw new Error(`TESTMAX_COMPAT_ONLY_BUILT must be 1 or unset, not "${value}"`);
  const ci = process.env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') {
    throw new Error(
      'TESTMAX_COMPAT_ONLY_BUILT=1 is set in CI: it would skip the checks of unbuilt packages. ' +
        'CI checks every published package; unset it.',
    );
  }
  return true;
}

/**
 * The packages to check. All of them by default, and a missing build is an error (CI builds first);
 * TESTMAX_COMPAT_ONLY_BUILT=1 narrows to the ones already built, for working beside packages
 * that are still being written.
 */
export function packagesUnderTest(): PublishedPackage[] {
  if (narrowedToBuilt()) {
    // Also leave out a built package whose @testmax dependencies are not built: npm could not
    // install its tarball.
    const chosen: PublishedPackage[] = [];
    for (const pkg of PUBLISHED) {
      const deps = Object.keys(readPackageJson(pkg.dir).dependencies ?? {}).filter((dep) =>
        dep.startsWith('@testmax/'),
      );
      if (isBuilt(pkg) && deps.every((dep) => chosen.some((other) => other.name === dep))) chosen.push(pkg);
    }
    return chosen;
  }
  const missing = PUBLISHED.filter((pkg) => !isBuilt(pkg));
  if (missing.length > 0) {
    throw new Error(
      `not built: ${missing.map((pkg) => `${pkg.name} (${pkg.dir}/${pkg.builtMarker})`).join(', ')}; ` +
        'run `pnpm build` first (or set TESTMAX_COMPAT_ONLY_BUILT=1 to check only the built ones)',
    );
  }
  return [...PUBLISHED];
}

/** Import specifiers for the JavaScript entry points a package exports (`.`, `./node`, …). */
export function codeEntryPoints(pkg: PackageJson): string[] {
  return Object.entries(pkg.exports ?? {})
    .filter(([, target]) => {
      const file = typeof target === 'string' ? target : (target.default ?? target.import ?? '');
      return /\.[cm]?js$/.test(file);
    })
    .map(([subpath]) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
}
