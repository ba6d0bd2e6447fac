/**
 * The gRPC server for the function: the SDK's flags, credentials and response helpers, with the
 * byte-level codec of ./codec.ts on the wire, a cache of encoded responses keyed by the request
 * bytes, and a shutdown that finishes requests in flight and always ends.
 */
import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { pino, type Logger } from "pino";
import {
  fatal,
  FunctionRunnerServiceService,
  getServerCredentials,
  helpText,
  parseArgs,
  to,
  type ComposeFunction,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from "@crossplane-org/function-sdk-typescript";
import { decodeRunFunctionRequest, encodeRunFunctionResponse } from "./codec.js";
import { mebibytesFromEnv } from "./settings.js";

/** gRPC's default, stated so that it cannot drift: Crossplane sends at most this much. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** How long answered streams get to flush on shutdown before open sessions are closed. */
const FLUSH_MS = 1_000;

/**
 * Encoded responses by SHA-256 of the whole request. The function is pure (no clock, network or
 * randomness), so the same request bytes always give the same response bytes: an entry cannot go
 * stale, it can only stop being asked for. Any change Crossplane sees (the composite, an observed
 * resource's status, the request meta tag) changes the bytes and so the key. Bounded by bytes,
 * least recently used first out, so a fleet of composites keeps memory flat.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** Entries and bytes held (the bench's memory probe reads them). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  static keyOf(request: Uint8Array): string {
    return createHash("sha256").update(request).digest("base64");
  }

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: string, response: Buffer): void {
    if (response.length > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.length;
      this.entries.delete(key);
    }
    this.entries.set(key, response);
    this.bytes += response.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.length;
    }
  }
}

/** Raw request bytes: decoded only when the cache has no answer for them. */
interface WireRequest {
  bytes: Buffer;
}

/** The RunFunction method with our codec; the path and shape are the SDK's. */
const runFunction: grpc.MethodDefinition<WireRequest, Buffer | RunFunctionResponse> = {
  path: FunctionRunnerServiceService.runFunction.path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (request) => request.bytes,
  requestDeserialize: (bytes) => ({ bytes }),
  responseSerialize: (response) => (Buffer.isBuffer(response) ? response : encodeRunFunctionResponse(response)),
  responseDeserialize: (bytes) => bytes,
};

export interface FunctionServer {
  server: grpc.Server;
  cache: ResponseCache;
  /** Stops taking calls, lets those in flight finish (at most `graceMs`), then closes every connection. */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Encoded responses kept, in bytes. A warm-standby response is about 300 KiB, so 8 MiB keeps the
 * last two dozen composites' answers; bench/memory.ts measured what more costs in resident memory.
 * FUNCTION_RESPONSE_CACHE_MIB overrides it (0 turns the cache off).
 */
export const DEFAULT_RESPONSE_CACHE_BYTES = 8 * 1024 * 1024;

export function responseCacheBytes(env: NodeJS.ProcessEnv = process.env): number {
  return mebibytesFromEnv("FUNCTION_RESPONSE_CACHE_MIB", DEFAULT_RESPONSE_CACHE_BYTES, env);
}

export function createFunctionServer(compose: ComposeFunction, logger: Logger, cacheBytes = DEFAULT_RESPONSE_CACHE_BYTES): FunctionServer {
  const server = new grpc.Server({ "grpc.max_receive_message_length": MAX_MESSAGE_BYTES });
  const cache = new ResponseCache(cacheBytes);
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const answer = async (request: WireRequest): Promise<Buffer> => {
    const key = ResponseCache.keyOf(request.bytes);
    const cached = cache.get(key);
    if (cached) return cached;
    // Malformed bytes throw here; the caller turns that into a gRPC error, not a response.
    const req: RunFunctionRequest = decodeRunFunctionRequest(request.bytes);
    const rsp = to(req) as RunFunctionResponse;
    let composed: RunFunctionResponse;
    try {
      composed = await compose(req, rsp as Parameters<ComposeFunction>[1], logger);
    } catch (error) {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, "function invocation failed");
      composed = fatal(to(req), error instanceof Error ? error.message : String(error));
    }
    const encoded = encodeRunFunctionResponse(composed);
    cache.set(key, encoded);
    return encoded;
  };

  server.addService({ runFunction } as grpc.ServiceDefinition, {
    runFunction: (call: grpc.ServerUnaryCall<WireRequest, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      inFlight++;
      answer(call.request)
        .then(
          (response) => callback(null, response),
          (error: unknown) =>
            callback({
              code: grpc.status.INVALID_ARGUMENT,
              details: `cannot decode RunFunctionRequest: ${error instanceof Error ? error.message : String(error)}`,
            }),
        )
        .finally(() => {
          if (--inFlight === 0) drained?.();
        });
    },
  });

  const shutdown = (graceMs = 20_000) =>
    new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        // Every answer has been handed to its stream; open client sessions (a client may keep its
        // channel for ever) must not hold the process, so they are closed now.
        server.forceShutdown();
        resolve();
      };
      const deadline = setTimeout(() => {
        logger.warn({ inFlight }, "requests still in flight at the shutdown deadline");
        finish();
      }, graceMs);
      // tryShutdown stops new calls at once; it completes when every session has closed, which a
      // client holding its channel open may never do, so the in-flight count decides instead.
      server.tryShutdown(finish);
      // Once the last answer is handed over, its bytes get a moment to leave before sessions close.
      const flushThenFinish = () => setTimeout(finish, FLUSH_MS);
      if (inFlight === 0) flushThenFinish();
      else drained = flushThenFinish;
    });

  return { server, cache, shutdown };
}

/** The entry point: the standard function flags, a JSON logger, and exit 0 after a clean SIGTERM or SIGINT. */
export function serveFunction(compose: ComposeFunction, name: string, argv = process.argv.slice(2)): FunctionServer {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(
      `${name}: ${error instanceof Error ? error.message : String(error)}\nTry '${name} --help' for the available flags.\n`,
    );
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${helpText(name)}\n`);
    process.exit(0);
  }
  const logger = pino({ level: args.debug ? "debug" : "info", formatters: { level: (label) => ({ severity: label.toUpperCase() }) } });
  const fn = createFunctionServer(compose, logger, responseCacheBytes());
  fn.server.bindAsync(args.address, getServerCredentials(args), (error) => {
    if (error) {
      logger.error(`server bind error: ${error.message}`);
      process.exit(1);
    }
    logger.info(`server started and listening on ${args.address}`);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}, shutting down`);
    void fn.shutdown().then(() => {
      logger.info("server shut down");
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  return fn;
}
