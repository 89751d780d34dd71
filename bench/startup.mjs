// 3. CLI start-up: whole processes, `testmax --version` and `testmax ping` against node itself.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN } from './lib/deps.mjs';
import { startMockProcess } from './lib/mock-process.mjs';
import { interleave, msText, ratioText } from './lib/stats.mjs';

const TRIALS = 15;

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

export async function cliStartup() {
  const server = await startMockProcess();
  const home = await mkdtemp(join(tmpdir(), 'testmax-bench-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    TESTMAX_API_URL: server.url,
    NO_COLOR: '1',
  };
  try {
    const version = await interleave({
      ours: () => run([CLI_BIN, '--version'], env),
      baseline: () => run(['-e', '0'], env),
      trials: TRIALS,
      warmup: 2,
    });
    const pingVsNode = await interleave({
      ours: () => run([CLI_BIN, 'ping'], env),
      baseline: () => run(['-e', '0'], env),
      trials: TRIALS,
      warmup: 2,
    });
    // The same request from a one-line script: what any process pays for a fetch.
    const fetchScript = `fetch(${JSON.stringify(`${server.url}/Status/ping`)}).then((r) => r.json()).then((b) => { if (!b.success) process.exit(1); })`;
    const pingVsFetch = await interleave({
      ours: () => run([CLI_BIN, 'ping'], env),
      baseline: () => run(['-e', fetchScript], env),
      trials: TRIALS,
      warmup: 2,
    });
    // `testmax api` loads the spec's operation table and its own modules, never the request
    // validators for a bodyless GET: it must start about as fast as the command it generalises.
    const apiVsPing = await interleave({
      ours: () => run([CLI_BIN, 'api', 'Status/ping'], env),
      baseline: () => run([CLI_BIN, 'ping'], env),
      trials: TRIALS,
      warmup: 2,
    });
    const row = (name, baseline, r, target) =>
      `| ${name} | ${baseline} | ${msText(r.ours)} | ${msText(r.baseline)} | ${ratioText(r.ratio)} | ${target ? `≤ ${target}×` : '—'} | ${target ? (r.ratio.median <= target ? 'yes' : '**no**') : '—'} |`;
    return {
      title: '3. CLI start-up',
      target: '`testmax --version` ≤ 1.5× `node -e 0`; `testmax api Status/ping` ≤ 1.3× `testmax ping`',
      data: { trials: TRIALS, version, pingVsNode, pingVsFetch, apiVsPing },
      markdown: [
        `Whole processes (spawn to exit), ${TRIALS} interleaved trials per pair after 2 warm-ups; \`ping\` goes to the mock server (separate process) on 127.0.0.1.`,
        '',
        '| command | baseline | ours | baseline time | ratio (median, min, max) | target | met |',
        '|---|---|---|---|---|---|---|',
        row('`testmax --version`', '`node -e 0`', version, 1.5),
        row('`testmax ping`', '`node -e 0`', pingVsNode),
        row('`testmax ping`', '`node -e "fetch(…/Status/ping)"`', pingVsFetch),
        row('`testmax api Status/ping`', '`testmax ping`', apiVsPing, 1.3),
      ].join('\n'),
      met: version.ratio.median <= 1.5 && apiVsPing.ratio.median <= 1.3,
    };
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
