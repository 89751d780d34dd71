import { AuthSession, TestMaxError } from '@testmax/auth';
import { DEMO_USER, type Fault, type MockServer, startMockServer } from '@testmax/mock-server';
import { trackUnhandledRejections } from '@testmax/test-support/guards';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { recordCount } from './helpers/counts.js';
import { ENDPOINTS, type Endpoint, type EndpointContext, modesOf } from './helpers/endpoints.js';
import {
  CELL_TIMEOUT_MS,
  type FaultCase,
  type FaultContext,
  persistent,
  RETRYABLE,
  TERMINAL,
} from './helpers/faults.js';
import { Observer } from './helpers/observe.js';
import { describeOutcome, type Mode, type Outcome } from './helpers/outcomes.js';

const unhandled = trackUnhandledRejections();
let server: MockServer | undefined;
let cells = 0;

afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  recordCount('fault-matrix', { sdkCells: cells });
  console.log(`fault matrix (SDK): ${cells} cells`);
});

interface Cell {
  title: string;
  endpoint: Endpoint;
  fault: FaultCase;
  mode: Mode;
  outcome: Outcome;
}

function cellsFor(endpoint: Endpoint): Cell[] {
  return [...RETRYABLE, ...TERMINAL].flatMap((fault) =>
    modesOf(fault).map((mode) => {
      const outcome = endpoint.expect(fault, mode);
      const faultName = modesOf(fault).length > 1 ? `${fault.name} ${mode}` : fault.name;
      return {
        title: `${endpoint.name} × ${faultName} → ${describeOutcome(outcome)}`,
        endpoint,
        fault,
        mode,
        outcome,
      };
    }),
  );
}

/** A token straight from the simulator, without the SDK, for bodies that must carry a real one. */
async function seedToken(url: string): Promise<string> {
  const response = await fetch(`${url}/Auth/loginKey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function tokenRefused(url: string, token: string): Promise<boolean> {
  const response = await fetch(`${url}/Account/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  await response.arrayBuffer();
  return response.status === 401;
}

async function runCell({ endpoint, fault, mode, outcome }: Cell): Promise<void> {
  cells++;
  server = await startMockServer();
  const observer = new Observer();
  observer.secret(DEMO_USER.apiKey);
  const options = {
    fetch: observer.fetch,
    clock: observer.clock,
    logger: observer.logger,
    timeoutMs: CELL_TIMEOUT_MS,
    retry: { retries: mode === 'persistent' ? 1 : 3, minDelayMs: 1, maxDelayMs: 10 },
    random: () => 0.5,
  };
  const session = new AuthSession({
    userName: DEMO_USER.userName,
    apiKey: DEMO_USER.apiKey,
    baseUrl: server.url,
    ...options,
  });
  const seed = await seedToken(server.url);
  observer.secret(seed);
  if (endpoint.loggedIn) await session.authenticate();
  const token = endpoint.loggedIn ? await session.getSessionToken() : undefined;
  const context: EndpointContext = { session, token, seedToken: seed, baseUrl: server.url, options };
  const faultContext: FaultContext = {
    apiKey: endpoint.knowsKey === false ? '(no key was sent)' : DEMO_USER.apiKey,
    token,
    successBody: endpoint.successBody(context),
  };
  const injected: Fault = mode === 'once' ? fault.make(faultContext) : persistent(fault, faultContext);

  server.resetCalls();
  observer.timers.length = 0;
  server.inject(endpoint.path, injected);
  let result: unknown;
  let error: unknown;
  try {
    result = await endpoint.run(context);
  } catch (caught) {
    error = caught;
    observer.error(caught);
  }
  server.clearFaults();
  const timersDuringCall = [...observer.timers];
  const calls = server.calls(endpoint.path);
  const logins = endpoint.path === '/Auth/loginKey' ? 0 : server.calls('/Auth/loginKey');

  if (outcome.kind === 'error') {
    expect(error, `expected ${outcome.type.name}, got ${JSON.stringify(result)}`).toBeInstanceOf(
      TestMaxError,
    );
    expect((error as Error).name).toBe(outcome.type.name);
    expect(error).toBeInstanceOf(outcome.type);
    const typed = error as TestMaxError & { retryAfterMs?: number };
    if (outcome.status !== undefined) expect(typed.status).toBe(outcome.status);
    if (outcome.errorCode !== undefined) expect(typed.errorCode).toBe(outcome.errorCode);
    if (outcome.message) expect(typed.message).toMatch(outcome.message);
    if (outcome.retryAfterMs) {
      expect(typed.retryAfterMs).toBeGreaterThanOrEqual(outcome.retryAfterMs[0]);
      expect(typed.retryAfterMs).toBeLessThanOrEqual(outcome.retryAfterMs[1]);
    }
    // One line, no stack in the message: what a user reads.
    expect(typed.message).not.toMatch(/\n|\bat .*\.js:\d+/);
  } else if (outcome.kind === 'response') {
    if (error) throw error;
    const { status, text } = result as { status: number; text: string };
    expect(status).toBe(outcome.status);
    if (outcome.body === 'as-injected') expect(text).toBe(injected.body ?? '');
  } else {
    if (error) throw error;
    await endpoint.checkResult(result, context);
    if (outcome.waitedMs) {
      const [min, max] = outcome.waitedMs;
      // Each attempt arms one timeout timer; whatever else the SDK waited for is a sleep. The
      // back-off in these cells is at most 10 ms: a sleep this long is the server's Retry-After.
      const sleeps = [...timersDuringCall];
      for (let i = 0; i < calls + logins; i++) sleeps.splice(sleeps.indexOf(CELL_TIMEOUT_MS), 1);
      expect(sleeps.some((ms) => ms >= min && ms <= max)).toBe(true);
    }
    if (outcome.revoked) expect(await tokenRefused(server.url, token as string)).toBe(true);
  }
  expect(calls, `requests to ${endpoint.path}`).toBe(outcome.calls);
  expect(logins, 'logins caused by the call').toBe(outcome.logins ?? 0);
  if (endpoint.name === 'logout') expect(session.isAuthenticated).toBe(false);

  observer.session(session);
  expect(observer.leaks()).toEqual([]);
  // Give a background refresh or a late rejection a turn to surface before checking.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled.take()).toEqual([]);
}

describe.each(ENDPOINTS.map((endpoint) => [endpoint.name, cellsFor(endpoint)] as const))(
  '%s',
  (_name, list) => {
    test.each(list.map((cell) => [cell.title, cell] as const))('%s', (_title, cell) => runCell(cell), 15_000);
  },
);
