import { ConfigError } from './errors.js';

/**
 * The fields of `options` that are set. `{ ...defaults, ...options }` alone would let an
 * explicit `undefined` (`{ retries: undefined }`) wipe out a default and turn a delay into NaN.
 */
export function definedFields<T extends object>(options: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (options === null || typeof options !== 'object') return out;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

interface Range {
  /** Lowest allowed value; inclusive unless `above` is set. */
  min: number;
  above?: boolean;
  max?: number;
  integer?: boolean;
  /** `Infinity` is a valid "no limit". */
  infinite?: boolean;
}

/**
 * A numeric option, checked: a bad one is a `ConfigError` naming it at construction, not a
 * session that logs in on every call or never times out.
 */
export function checkNumber(name: string, value: unknown, range: Range): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) ? !range.integer || Number.isInteger(value) : range.infinite === true) &&
    (range.above ? value > range.min : value >= range.min) &&
    (range.max === undefined || value <= range.max);
  if (!ok) {
    const bounds = `${range.above ? '>' : '≥'} ${range.min}${range.max === undefined ? '' : ` and ≤ ${range.max}`}`;
    throw new ConfigError(
      `The option ${name} must be ${range.integer ? 'an integer' : 'a number'} ${bounds}, got ${String(value)}.`,
    );
  }
  return value as number;
}
