#!/usr/bin/env node
/** Serves the composition function over gRPC with the standard flags (--address, --insecure, --tls-server-certs-dir, --debug). */
import { serveFunction } from "./server.js";
import { validatedCount } from "./compose.js";
import { compose, composeMemo } from "./function.js";

const fn = serveFunction(compose, "function-dr-environment");
// Only bench/memory.ts sets this: its preloaded probe (bench/support/memory-probe.mjs) reports the caches' sizes.
if (process.env["FUNCTION_MEMORY_PROBE"] === "1")
  (globalThis as Record<string, unknown>)["functionCacheSizes"] = () => ({
    response: fn.cache.size,
    validated: validatedCount(),
    memo: composeMemo.size,
  });
