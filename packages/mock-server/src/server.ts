import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallCounter } from './call-counter.js';
import { DEMO_USER } from './demo-user.js';
import { FaultQueue, normalisePath } from './faults.js';
import { answerPreflight, applyCors, BodyTooLargeError, readBody, sendJson, sendProblem } from './http.js';
import { GATEWAY_RATE_LIMITS, RateLimits } from './rate-limits.js';
import { checkBody, loadRequestSchemas } from './requests.js';
import { ROUTES, type RouteResult } from './routes.js';
import { SimulatorState } from './state.js';
import type { Fault, MockServer, MockServerOptions } from './types.js';

const DEFAULT_LIFETIME_SEC = 24 * 60 * 60;
/** The spec requires `Retry-After` on a 429: a generated one waits a second unless the fault says otherwise. */
const DEFAULT_RETRY_AFTER = '1';

/**
 * Start the simulator and resolve once it is listening.
 *
 * ```ts
 * await using server = await startMockServer();
 * const client = createClient({ baseUrl: server.url });
 * ```
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const tokenLifetimeSec = options.tokenLifetimeSec ?? DEFAULT_LIFETIME_SEC;
  if (!(tokenLifetimeSec > 0) || !Number.isFinite(tokenLifetimeSec)) {
    throw new RangeError(`tokenLifetimeSec must be a positive number, got ${String(tokenLifetimeSec)}`);
  }
  const refreshWindowSec = options.refreshWindowSec ?? options.refreshWindow ?? tokenLifetimeSec * 0.2;
  if (!(refreshWindowSec >= 0) || !Number.isFinite(refreshWindowSec)) {
    throw new RangeError(
      `refreshWindowSec must be a number of seconds >= 0, got ${String(refreshWindowSec)}`,
    );
  }
  const unauthorizedStyle = options.unauthorizedStyle ?? 'status';
  const validateTokenField = options.validateTokenField ?? 'token';
  // Fails here, not on the first request, if the bundled spec cannot be read.
  loadRequestSchemas();
  const state = new SimulatorState({
    users: options.users ?? [DEMO_USER],
    tokenLifetimeSec,
    refreshWindowSec,
    now: options.now ?? Date.now,
    secret: options.secret ?? randomBytes(32).toString('base64url'),
  });
  const faults = new FaultQueue();
  const rateLimits = rateLimitsOf(options.rateLimits, options.now ?? Date.now);
  const rateLimitedCounts = new CallCounter();
  // Preflights are counted apart: a browser sends one before some requests and not others
  // (it caches them), so counting them with the requests would make exact counts impossible.
  const counts = new CallCounter();
  const preflightCounts = new CallCounter();
  const pendingDelays = new Set<() => void>();
  let closing: Promise<void> | undefined;

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = pathOf(req.url);
    const key = normalisePath(pathname);
    const counter = req.method === 'OPTIONS' ? preflightCounts : counts;
    counter.add(key, ROUTES.has(key));
    applyCors(req, res);

    if (req.method === 'OPTIONS') {
      answerPreflight(res);
      return;
    }

    const fault = faults.take(pathname);
    if (fault) {
      if (fault.delayMs && fault.delayMs > 0) await delay(fault.delayMs);
      if (res.destroyed || closing) return;
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
      if (fault.status !== undefined) {
        sendFault(res, fault);
        return;
      }
    }

    if (rateLimits) {
      const decision = rateLimits.admit(clientOf(req, state), pathname);
      if (!decision.admitted) {
        rateLimitedCounts.add(key, ROUTES.has(key));
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        sendProblem(res, 429, `Rate limit exceeded. Retry after the Retry-After delay (${seconds} s).`, {
          'Retry-After': String(seconds),
        });
        return;
      }
    }

    const route = ROUTES.get(key);
    if (!route) {
      sendProblem(res, 404, `No operation at ${pathname}.`);
      return;
    }
    if (req.method !== route.method) {
      sendProblem(res, 405, `${pathname} accepts ${route.method} only.`, {
        Allow: `${route.method}, OPTIONS`,
      });
      return;
    }

    let body: unknown;
    if (route.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          // Closing the connection stops the client sending the rest of a body we will not read.
          sendProblem(res, 413, 'The request body is larger than 1 MB.', { Connection: 'close' });
        } else {
          req.socket.destroy();
        }
        return;
      }
      // The Content-Type is not enforced: fetch labels a string body text/plain unless told
      // otherwise, and many callers never tell it. What the body says is checked against the spec.
      const checked = checkBody(route.path, route.method, text, route.inBandFields);
      if (!checked.ok) {
        sendProblem(res, 400, checked.problem.detail, {}, { errors: checked.problem.errors });
        return;
      }
      body = checked.body;
    }
    if (res.destroyed) return;
    respond(res, route.handle({ state, validateTokenField, req, body }));
  }

  function respond(res: ServerResponse, result: RouteResult): void {
    if (result.kind === 'unauthorized' && unauthorizedStyle === 'status') {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Length': 0 }).end();
    } else {
      sendJson(res, 200, result.body);
    }
  }

  const server = createServer((req, res) => {
    // The simulator must never crash on a request: anything unexpected becomes a 500 problem.
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendProblem(
        res,
        500,
        `The simulator failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  });
  // Requests node cannot even parse (bad framing, oversized headers) get a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const finish of [...pendingDelays]) finish();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url,
    port: address.port,
    inject: (path: string, fault: Fault) => faults.add(path, fault),
    clearFaults: () => faults.clear(),
    calls: (path?: string) => countOf(counts, path),
    preflights: (path?: string) => countOf(preflightCounts, path),
    rateLimited: (path?: string) => countOf(rateLimitedCounts, path),
    resetCalls: () => {
      counts.clear();
      preflightCounts.clear();
      rateLimitedCounts.clear();
    },
    revokeAllTokens: () => state.revokeAll(),
    setUser: (user) => state.setUser(user),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function rateLimitsOf(option: MockServerOptions['rateLimits'], now: () => number): RateLimits | undefined {
  if (option === undefined || option === false) return undefined;
  return new RateLimits(option === true ? GATEWAY_RATE_LIMITS : option, now);
}

/**
 * Whose budget a request spends: the user of its bearer token when the simulator signed it
 * (expired or revoked tokens included: the gateway counts a user's requests, good or bad),
 * else the client's IP address (logins, pings, requests with a forged or no token).
 */
function clientOf(req: IncomingMessage, state: SimulatorState): string {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  const user = match?.[1] === undefined ? undefined : state.userOf(match[1]);
  return user === undefined ? `ip:${req.socket.remoteAddress ?? ''}` : `user:${user.toLowerCase()}`;
}

function countOf(counts: CallCounter, path: string | undefined): number {
  return counts.count(path === undefined ? undefined : normalisePath(path));
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * An injected answer: the given raw body as it is, or else what the spec documents for the status
 * (a problem document; an empty 401 with `WWW-Authenticate`; a 429 with `Retry-After`).
 */
function sendFault(res: ServerResponse, fault: Fault): void {
  const status = fault.status!;
  if (fault.body === undefined) {
    if (status === 429 && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', DEFAULT_RETRY_AFTER);
    if (status === 401) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Length': 0 }).end();
    } else if (status === 204 || status === 304) {
      res.writeHead(status).end();
    } else {
      sendProblem(res, status, `Injected fault: ${STATUS_CODES[status] ?? status}.`);
    }
    return;
  }
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(fault.body) };
  const contentType = fault.contentType ?? (fault.body === '' ? undefined : guessType(fault.body));
  if (contentType) headers['Content-Type'] = contentType;
  res.writeHead(status, headers).end(fault.body);
}

function guessType(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json; charset=utf-8';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}
