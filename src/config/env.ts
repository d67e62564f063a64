/**
 * Readers for environment variables, shared by every configuration module. Each throws a
 * `ConfigError` naming the variable when its value cannot be used.
 */
import { ConfigError } from './error.js';

export type Env = Record<string, string | undefined>;

/** A whole number in [min, max]; `def` when unset or empty. */
export function envInt(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const v = Number(raw.trim());
  if (v < min || v > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** A comma-separated list, blanks dropped. */
export function envList(env: Env, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** One of a fixed set of words (case-insensitive); `def` when unset or empty. */
export function envOneOf<T extends string>(env: Env, name: string, values: readonly T[], def: T): T {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return def;
  const v = values.find((x) => x === raw.toLowerCase());
  if (v === undefined) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return v;
}

/** `MIN-MAX` (whole numbers, MIN ≤ MAX); `def` when unset. */
export function envRange(env: Env, name: string, def: [number, number]): [number, number] {
  const raw = env[name];
  if (!raw) return def;
  const m = /^(\d+)-(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) > Number(m[2])) throw new ConfigError(`${name} must be MIN-MAX, got "${raw}"`);
  return [Number(m[1]), Number(m[2])];
}
