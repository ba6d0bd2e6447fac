// Preloaded into a benchmarked function process (node --import): answers SIGUSR2 with one line of
// process.memoryUsage(), the V8 new space's size and (when the function exposes them, see
// functions/src/main.ts) its caches' sizes on stderr, after a full GC when --expose-gc is on.
// Costs nothing until asked.
import { writeSync } from "node:fs";
import { getHeapSpaceStatistics } from "node:v8";

process.on("SIGUSR2", () => {
  const caches = globalThis.functionCacheSizes?.();
  const before = process.memoryUsage.rss();
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size;
  writeSync(2, `BENCH_MEMORY ${JSON.stringify({ before, rss, heapUsed, heapTotal, external, arrayBuffers, newSpace, caches })}\n`);
});
