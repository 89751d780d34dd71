import { cpus, totalmem } from 'node:os';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, min and max of a list of numbers. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * Run `ours` and `baseline` alternately (ABBA order, so neither always runs first), `trials`
 * times each after `warmup` rounds, and return per-trial times in ms plus the ratio of each
 * pair: drift of a shared machine then hits both sides alike.
 */
export async function interleave({ ours, baseline, trials, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) {
    await ours();
    await baseline();
  }
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < trials; i++) {
    let ta;
    let tb;
    if (i % 2 === 0) {
      ta = await time(ours);
      tb = await time(baseline);
    } else {
      tb = await time(baseline);
      ta = await time(ours);
    }
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  return { ours: summary(a), baseline: summary(b), ratio: summary(ratios) };
}

/**
 * Like {@link interleave}, for loops of many small calls: each trial runs `total` calls of each
 * side in alternating blocks of `block` calls, so load from elsewhere on the machine falls on
 * both sides within milliseconds of each other. Ratio per trial = our total / baseline total.
 */
export async function interleaveBlocks({ ours, baseline, total, block, trials, warmup = block }) {
  await ours(warmup);
  await baseline(warmup);
  const a = [];
  const b = [];
  const ratios = [];
  for (let t = 0; t < trials; t++) {
    let ta = 0;
    let tb = 0;
    for (let i = 0; i < total / block; i++) {
      if ((i + t) % 2 === 0) {
        ta += await time(() => ours(block));
        tb += await time(() => baseline(block));
      } else {
        tb += await time(() => baseline(block));
        ta += await time(() => ours(block));
      }
    }
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  return { ours: summary(a), baseline: summary(b), ratio: summary(ratios) };
}

export async function time(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function machine() {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

export const fmt = {
  ms: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  ratio: (v) => `${v.toFixed(2)}×`,
  kB: (bytes) => `${(bytes / 1000).toFixed(2)} kB`,
  MB: (bytes) => `${(bytes / 1e6).toFixed(2)} MB`,
};

/** "1.04× (min 0.98×, max 1.11×)" */
export function ratioText(r) {
  return `${fmt.ratio(r.median)} (min ${fmt.ratio(r.min)}, max ${fmt.ratio(r.max)})`;
}

export function msText(s) {
  return `${fmt.ms(s.median)} ms (${fmt.ms(s.min)}–${fmt.ms(s.max)})`;
}
