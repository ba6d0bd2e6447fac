// Preloaded into a benchmarked function process (node --import): answers SIGUSR2 with one line of
// process.memoryUsage() on stderr, after a full GC when --expose-gc is on. Costs nothing until asked.
import { writeSync } from "node:fs";

process.on("SIGUSR2", () => {
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  writeSync(2, `BENCH_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers })}\n`);
});
