/** Small statistics helpers for the benchmarks: percentiles over latency samples in milliseconds. */

export interface Distribution {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted samples. */
function rank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function distribution(samples: number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return {
    n: list.length,
    mean: list.reduce((a, b) => a + b, 0) / Math.max(1, list.length),
    p50: rank(list, 50),
    p90: rank(list, 90),
    p99: rank(list, 99),
    max: list[list.length - 1] ?? NaN,
  };
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere or when it is gone. */
export async function rssOf(pid: number): Promise<number | undefined> {
  const { readFile } = await import("node:fs/promises");
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export const MiB = 1024 * 1024;
