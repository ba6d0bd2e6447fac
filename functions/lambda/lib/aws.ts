/** Small helpers around SDK calls shared by the handlers. */

/** Per-call deadline: without one a blackholed endpoint would hold the invocation until its timeout. */
export function deadline(ms: number): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(ms) };
}

/** The SDK error code (`ConditionalCheckFailedException`, `NotFound`, ...) or the JS error name. */
export function errorCode(err: unknown): string {
  if (err && typeof err === "object" && "name" in err && typeof err.name === "string") return err.name;
  return "UnknownError";
}

export function elapsedMs(startedAt: bigint): number {
  return Number((process.hrtime.bigint() - startedAt) / 1_000_000n);
}
