/**
 * Processes of a fleet (`fleet-worker.mjs`): each one an AuthSession on a shared store, doing a
 * task. For the fleet tests; `bench/fleet.mjs` runs the same worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const FLEET_WORKER = fileURLToPath(new URL('./fleet-worker.mjs', import.meta.url));

export interface FleetWorkerResult {
  ok: boolean;
  tokens: string[];
  calls: number;
  failures: string[];
  failed: number;
  statuses: Record<string, number>;
  warnings: string[];
}

export interface FleetWorker {
  readonly child: ChildProcess;
  /** Resolves once the worker's session exists. */
  readonly started: Promise<void>;
  /** Its result line; rejects with its stderr when it fails. */
  readonly result: Promise<FleetWorkerResult>;
}

/** Start one worker with `config` (see fleet-worker.mjs); killed with the test's process at the latest. */
export function startFleetWorker(config: Record<string, unknown>, killAfterMs = 120_000): FleetWorker {
  const child = spawn(process.execPath, [FLEET_WORKER, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  killer.unref();
  let out = '';
  let err = '';
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('started\n')) markStarted();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const result = new Promise<FleetWorkerResult>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      markStarted();
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as FleetWorkerResult);
      else reject(new Error(`fleet worker ended (${signal ?? code}): ${err.trim() || out.trim()}`));
    });
  });
  result.catch(() => {});
  return { child, started, result };
}

/** Run `configs` as processes at once and collect every result. */
export function runFleet(configs: readonly Record<string, unknown>[]): Promise<FleetWorkerResult[]> {
  return Promise.all(configs.map((config) => startFleetWorker(config).result));
}
