/**
 * Environment configuration, read and validated once per container (at the first invocation),
 * so a misconfigured function fails fast with a message naming the variable.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`environment variable ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export function requireString(env: Env, name: string, pattern?: RegExp, hint?: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, "is required but not set");
  if (pattern && !pattern.test(value)) {
    throw new ConfigError(name, `is invalid: ${JSON.stringify(value)}${hint ? ` (expected ${hint})` : ""}`);
  }
  return value;
}

export function optionalString(env: Env, name: string, pattern?: RegExp, hint?: string): string | undefined {
  return env[name]?.trim() ? requireString(env, name, pattern, hint) : undefined;
}

export function requireRegion(env: Env, name: string): string {
  return requireString(env, name, REGION, "an AWS region such as us-east-1");
}

export function optionalInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** `<endpoint>/<account>/<queue name>`, as SQS returns it (loopback endpoints in tests). */
export const QUEUE_URL = /^https?:\/\/[^\s/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
export const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Memoizes a loader per container; a failed load is retried on the next invocation. */
export function once<T>(load: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: load() }).v;
}

/** Loads the memoized config, logging a ConfigError once per failing invocation before rethrowing it. */
export function withConfig<T>(config: () => T, log: { error(msg: string, fields?: Record<string, unknown>): void }): T {
  try {
    return config();
  } catch (err) {
    if (err instanceof ConfigError) log.error("invalid configuration", { variable: err.variable, errorMessage: err.message });
    throw err;
  }
}
