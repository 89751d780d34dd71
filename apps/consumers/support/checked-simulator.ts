import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type MockServer, type MockServerOptions, startMockServer } from '@testmax/mock-server';
import { type StartedProcess, startProcess } from '@testmax/test-support/processes';
import { SPEC_PATH } from './paths.js';
import { stripAnsi } from './scripts.js';

/** A path the spec lacks: Prism refuses it itself (404) and logs that, after earlier requests. */
const SETTLE_PATH = '/__prism_settle_';
const SETTLE_TIMEOUT_MS = 10_000;

const PRISM = join(
  dirname(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json')),
  'dist',
  'index.js',
);

interface ServerObject {
  url: string;
  variables?: Record<string, { default: string }>;
}
const servers = (JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as { servers: ServerObject[] }).servers;
/** The spec's local server entry: what every consumer here is pointed at. */
export const LOCAL_SERVER = servers.find((server) => server.url.startsWith('http://127.0.0.1:'))!;

/** The local entry's URL with its `port` variable filled in, as a generated server helper does. */
export function localServerUrl(port: string): string {
  return LOCAL_SERVER.url.replace('{port}', port);
}

export interface CheckedSimulator extends AsyncDisposable {
  /** The simulator itself (in this process, so tests can inject faults and count calls). */
  server: MockServer;
  /** Prism's port: consumers use the spec's local server entry with it. */
  port: string;
  /** The spec's local server entry expanded with Prism's port. */
  url: string;
  /**
   * The lines in which Prism reported a contract problem since the last call: a request or
   * response that breaks the spec (`✖ error … VIOLATIONS`, answered to the client as a 500
   * because of `--errors`), or an upstream status the spec does not declare (`⚠ warning`).
   * Prism writes its verdict after answering, so a client can hold an answer before the line
   * about it exists: this first sends Prism a request of its own for a path the spec lacks and
   * waits for Prism's line about that one, which comes after the lines of earlier requests.
   */
  takeViolations(): Promise<string[]>;
  log(): string;
  close(): Promise<void>;
}

/**
 * The simulator on a free loopback port with Prism's validating proxy in front of it: an
 * independent check (Stoplight's validator, not our ajv) that every request the consumers send
 * and every answer the simulator gives match the spec.
 */
export async function startCheckedSimulator(options: MockServerOptions = {}): Promise<CheckedSimulator> {
  const server = await startMockServer(options);
  let prism: StartedProcess;
  try {
    prism = await startProcess({
      command: process.execPath,
      args: [PRISM, 'proxy', SPEC_PATH, server.url, '--host', '127.0.0.1', '--port', '0', '--errors'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      ready: /Prism is listening on (http:\/\/\S+)/,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const port = new URL(prism.ready).port;
  const log = () => stripAnsi(prism.output());
  let seen = log().length;
  let settles = 0;
  const settle = async () => {
    const path = `${SETTLE_PATH}${++settles}`;
    await (await fetch(`${prism.ready}${path}`)).arrayBuffer();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (!new RegExp(`${path} .*terminated`).test(log())) {
      if (Date.now() > deadline) throw new Error(`Prism never logged ${path}:\n${log().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const close = async () => {
    await prism.stop();
    await server.close();
  };
  return {
    server,
    port,
    url: localServerUrl(port),
    takeViolations: async () => {
      await settle();
      const text = log();
      const fresh = text.slice(seen);
      seen = text.length;
      return fresh.split('\n').filter((line) => /✖|⚠|violation/i.test(line) && !line.includes(SETTLE_PATH));
    },
    log,
    close,
    [Symbol.asyncDispose]: close,
  };
}
