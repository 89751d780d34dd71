import { baseUrlMatcher, withoutTrailingSlashes } from '@testmax/auth';
import { CliError, ExitCode } from '../exit-codes.js';
import { OPERATIONS, type Operation } from '../generated/operations.js';
import { suggestion } from '../usage.js';

/** What `testmax api <path>` will call. */
export interface Target {
  /** `/Account/search`: the path under the base URL, without the query. */
  path: string;
  /** `?a=1`, or ''. */
  query: string;
  /** The spec's operations at this path (any method); empty for a path the spec does not know. */
  known: Operation[];
}

/**
 * The endpoints the session itself drives: calling them by hand would print a token, put a key
 * on the command line, or revoke the token behind the CLI's back. Each has its own command.
 */
const SESSION_PATHS: Record<string, string> = {
  '/auth/loginkey': 'logging in is `testmax login` (the key never goes on a command line)',
  '/auth/validate': 'checking the token is `testmax validate`; getting one is `testmax token`',
  '/auth/logout': 'logging out is `testmax logout` (it also forgets the saved key)',
};

/** True for the endpoints `testmax api` leaves to their own commands. */
export function isSessionPath(path: string): boolean {
  return Object.hasOwn(SESSION_PATHS, canonical(path));
}

/** The spec's operations `testmax api` calls (the session's own endpoints left out). */
export function apiOperations(): Operation[] {
  return OPERATIONS.filter((operation) => !isSessionPath(operation.path));
}

/** Their paths without the leading slash, as they are typed and completed. */
export function knownPaths(): string[] {
  return [...new Set(apiOperations().map((operation) => operation.path.slice(1)))];
}

/**
 * `Account/search`, `/Account/search?x=1`, or a full URL under the base URL. A URL elsewhere is
 * refused: the session's bearer belongs to the base URL (and `--base-url` picks another server).
 */
export function resolveTarget(argument: string, baseUrl: string): Target {
  let rest = argument.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    // The session's own rule for where its bearer goes: `baseUrlMatcher`.
    const url = URL.canParse(rest) ? new URL(rest) : undefined;
    if (!url || !baseUrlMatcher(baseUrl)(url)) {
      throw new CliError(
        ExitCode.usage,
        `testmax api takes a path under the base URL (${baseUrl}), such as Account/search; the URL given is not under it.`,
        'To call another server, pass --base-url (or set TESTMAX_API_URL).',
      );
    }
    rest = `${url.pathname.slice(withoutTrailingSlashes(new URL(baseUrl).pathname).length)}${url.search}`;
  }
  const queryAt = rest.search(/[?#]/);
  const typed = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  if (/\s/.test(typed)) {
    throw new CliError(
      ExitCode.usage,
      'An endpoint path has no spaces.',
      `Known paths: ${knownPaths().join(', ')} (see \`testmax api --help\`).`,
    );
  }
  const { path, query } = normalise(rest, baseUrl);
  if (path === '/') {
    throw new CliError(
      ExitCode.usage,
      'testmax api needs an endpoint path, such as Status/ping.',
      `Known paths: ${knownPaths().join(', ')} (see \`testmax api --help\`).`,
    );
  }
  if (isSessionPath(path)) {
    const refused = SESSION_PATHS[canonical(path)];
    throw new CliError(
      ExitCode.usage,
      `testmax api does not call ${path.slice(1)}: ${refused}.`,
      'Run `testmax --help` for the list of commands.',
    );
  }
  // The gateway's paths are case-insensitive; the spec spells them one way.
  const known = OPERATIONS.filter((operation) => operation.path.toLowerCase() === path.toLowerCase());
  return { path, query, known };
}

/**
 * The path as the server will see it: resolved under the base URL as a browser would (WHATWG
 * URL: `.` and `..` segments, also as `%2e`, and `\\` are resolved; a fragment is never sent),
 * relative to the base path, without trailing slashes. A path that resolves outside the base
 * path is refused: it is not the API, and nothing is sent there.
 */
function normalise(rest: string, baseUrl: string): { path: string; query: string } {
  const base = new URL(`${withoutTrailingSlashes(baseUrl)}/`);
  let url: URL | undefined;
  try {
    // `./` keeps it relative: `mailto:x` or `//host/x` is a path here, not another URL.
    url = new URL(`./${rest.replace(/^\/+/, '')}`, base);
  } catch {}
  if (!url || url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new CliError(
      ExitCode.usage,
      // Not repeated: a path typed by mistake may hold anything.
      `testmax api takes a path under the base URL (${baseUrl}); the path given resolves outside it (through ..), so nothing was sent.`,
      'Give the endpoint path without `..`, such as Account/search.',
    );
  }
  const path = withoutTrailingSlashes(`/${url.pathname.slice(base.pathname.length)}`) || '/';
  return { path, query: url.search };
}

/**
 * How a server that decodes and normalises paths may read one, for the session-endpoint check:
 * percent-decoded, repeated slashes collapsed, dot segments resolved again, lower case.
 */
function canonical(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {}
  const segments: string[] = [];
  for (const segment of decoded.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`.toLowerCase();
}

/** The spec's operation for this method, or why there is none. */
export function operationFor(target: Target, method: string): Operation | undefined {
  if (target.known.length === 0) return undefined;
  const operation = target.known.find((candidate) => candidate.method === method);
  if (!operation) {
    const methods = target.known.map((candidate) => candidate.method).join(', ');
    throw new CliError(
      ExitCode.usage,
      `${target.path.slice(1)} takes ${methods}, not ${method}.`,
      `Drop -X (the method of a known path is the spec's), or use -X ${target.known[0]!.method}.`,
    );
  }
  return operation;
}

/** " (did you mean Account/search?)" for a near miss of a known path. */
export function pathSuggestion(path: string): string {
  return suggestion(path.slice(1), knownPaths());
}
