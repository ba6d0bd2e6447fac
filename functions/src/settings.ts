/** Settings the function process reads from its environment. */

/** A size in MiB from `name` (unset or empty: `fallbackBytes`), in bytes; anything but a whole number from 0 to 4096 is refused. */
export function mebibytesFromEnv(name: string, fallbackBytes: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name];
  if (text === undefined || text === "") return fallbackBytes;
  const mib = Number(text);
  if (!Number.isInteger(mib) || mib < 0 || mib > 4096)
    throw new Error(`${name}: must be a whole number of MiB from 0 to 4096, got ${JSON.stringify(text)}`);
  return mib * 1024 * 1024;
}
