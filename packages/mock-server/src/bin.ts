#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEMO_USER } from './demo-user.js';
import { GATEWAY_RATE_LIMITS, type MockRateLimitRule, parseRateLimit } from './rate-limits.js';
import { startMockServer } from './server.js';
import type { MockServerOptions, MockUser } from './types.js';

const HELP = `Usage: testmax-mock [options]

Run the TestMax API simulator locally (Auth/loginKey, Auth/validate, Auth/logout,
Status/ping, Account/search). Stop it with Ctrl+C.

Options:
  --port N                    port to listen on (default 0: a free port)
  --host H                    interface to bind (default 127.0.0.1)
  --token-lifetime S          token lifetime in seconds (default 86400)
  --refresh-window S          seconds before expiry when validate issues a new token
                              (default 20% of the lifetime)
  --unauthorized-style STYLE  how a bad token is answered: status (bare 401, default)
                              or body (HTTP 200, success false, errorCode 3)
  --user EMAIL:KEY            a user the simulator accepts; repeatable. Replaces the
                              demo user (${DEMO_USER.userName})
  --rate-limit RULE           enforce a rate limit, answering 429 with Retry-After beyond
                              it: LIMIT/WINDOW[ms|s|m][:PATH], e.g. 200/60s or
                              50/30s:/History/retrieveBars; repeatable. "gateway" for the
                              gateway's documented limits (200/60s, 50/30s for bars).
                              Counted per user, or per IP without a token. Default off
  -h, --help                  show this help

Examples:
  # the demo user, at http://127.0.0.1:4010
  $ testmax-mock --port 4010
  # one-minute tokens; a refused token answered as HTTP 200
  $ testmax-mock --token-lifetime 60 --unauthorized-style body
  # your own user instead of the demo one
  $ testmax-mock --user "you@example.com:$KEY"

Exit codes:
  0  stopped by Ctrl+C (SIGINT) or SIGTERM
  1  could not start (the port is taken, the address cannot be bound)
  2  a usage error (an unknown option, a malformed value)
`;

class UsageError extends Error {}

function parse(argv: string[]): MockServerOptions | 'help' {
  let values: ReturnType<typeof parseOptions>['values'];
  try {
    ({ values } = parseOptions(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const options: MockServerOptions = {};
  if (values.port !== undefined) options.port = integer('--port', values.port, 0, 65_535);
  if (values.host !== undefined) options.host = values.host;
  if (values['token-lifetime'] !== undefined) {
    options.tokenLifetimeSec = integer('--token-lifetime', values['token-lifetime'], 1);
  }
  if (values['refresh-window'] !== undefined) {
    options.refreshWindowSec = integer('--refresh-window', values['refresh-window'], 0);
  }
  const style = values['unauthorized-style'];
  if (style !== undefined) {
    if (style !== 'status' && style !== 'body') {
      throw new UsageError(`--unauthorized-style must be "status" or "body", got "${style}"`);
    }
    options.unauthorizedStyle = style;
  }
  if (values.user?.length) options.users = values.user.map(parseUser);
  if (values['rate-limit']?.length) options.rateLimits = values['rate-limit'].flatMap(parseRateLimitFlag);
  return options;
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'token-lifetime': { type: 'string' },
      'refresh-window': { type: 'string' },
      'unauthorized-style': { type: 'string' },
      user: { type: 'string', multiple: true },
      'rate-limit': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(
      `${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${text}"`,
    );
  }
  return value;
}

function parseUser(text: string): MockUser {
  const colon = text.indexOf(':');
  const userName = text.slice(0, colon).trim();
  const apiKey = text.slice(colon + 1);
  // Never echo the argument: it holds an API key.
  if (colon < 1 || !userName || !apiKey) throw new UsageError('--user must look like EMAIL:KEY');
  return { userName, apiKey };
}

function parseRateLimitFlag(text: string): readonly MockRateLimitRule[] {
  if (text.trim().toLowerCase() === 'gateway') return GATEWAY_RATE_LIMITS;
  let rule: MockRateLimitRule;
  try {
    rule = parseRateLimit(text);
  } catch (error) {
    throw new UsageError(`--rate-limit: ${(error as Error).message}`);
  }
  if (rule.limit < 1 || rule.windowMs < 1) {
    throw new UsageError(`--rate-limit needs a limit and a window of at least 1, got "${text}"`);
  }
  return [rule];
}

async function main(): Promise<void> {
  // A closed stdout (`testmax-mock | head -1`) must not take the server down.
  process.stdout.on('error', () => {});
  let options: MockServerOptions | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`testmax-mock: ${error.message} (see --help)\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  let server: Awaited<ReturnType<typeof startMockServer>>;
  try {
    server = await startMockServer(options);
  } catch (error) {
    process.stderr.write(`testmax-mock: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // Handlers first: whoever reads the banner may signal us the moment it appears.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const lines = [`TestMax simulator listening on ${server.url}`];
  if (options.users) {
    lines.push(`users: ${options.users.map((user) => user.userName).join(', ')}`);
  } else {
    lines.push(`demo user: ${DEMO_USER.userName}`, `demo key:  ${DEMO_USER.apiKey}  (simulator only)`);
  }
  if (options.rateLimits && options.rateLimits !== true) {
    const rules = options.rateLimits.map(
      (rule) => `${rule.limit}/${rule.windowMs / 1000}s${rule.path ? ` on ${String(rule.path)}` : ''}`,
    );
    lines.push(`rate limits: ${rules.join(', ')} (per user)`);
  }
  lines.push(`try: curl ${server.url}/Status/ping`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
