/**
 * The function's gRPC server in this process: a real @grpc/grpc-js server from
 * createFunctionServer on 127.0.0.1 and a real client, so that the response cache, the error
 * paths and the shutdown are judged where a test can see them (grpc.test.ts serves main.ts in a
 * child process). The compose functions here are small stand-ins whose calls are counted; one
 * test serves the real one.
 */
import { connect } from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { pino, type Logger } from "pino";
import {
  FunctionRunnerServiceService,
  RunFunctionRequest,
  RunFunctionResponse,
  Severity,
  fromCompose,
  normal,
  type ComposeFunction,
} from "@crossplane-org/function-sdk-typescript";
import { createFunctionServer, MAX_MESSAGE_BYTES, ResponseCache, type FunctionServer } from "../../functions/src/server.js";
import { compose as realCompose } from "../../functions/src/function.js";
import { compositeOf, requestFor } from "../../functions/src/render.js";

const silent = pino({ level: "silent" });

/** A logger that keeps the records it is given, to check what the server says and what it leaves out. */
function recordingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}
const PATH = FunctionRunnerServiceService.runFunction.path;
/** Ten times jest's testTimeout (jest.config.js): a shutdown that waited for it would fail its test. */
const BEYOND_TEST_TIMEOUT_MS = 10 * 60_000;

interface Served {
  fn: FunctionServer;
  port: number;
  client: grpc.Client;
  /** The raw response bytes for raw request bytes, or the gRPC error. */
  call(request: Uint8Array, deadlineMs?: number): Promise<Buffer>;
  run(request: RunFunctionRequest): Promise<RunFunctionResponse>;
  close(): Promise<void>;
}

async function serve(compose: ComposeFunction, cacheBytes?: number, logger: Logger = silent): Promise<Served> {
  const fn = createFunctionServer(compose, logger, cacheBytes);
  const port = await new Promise<number>((resolve, reject) =>
    fn.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
  });
  const call = (request: Uint8Array, deadlineMs = 30_000) =>
    new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        PATH,
        (bytes: Uint8Array) => Buffer.from(bytes),
        (bytes: Buffer) => bytes,
        request,
        { deadline: Date.now() + deadlineMs },
        (error, response) => (error ? reject(error) : resolve(response!)),
      ),
    );
  return {
    fn,
    port,
    client,
    call,
    run: async (request) => RunFunctionResponse.decode(await call(RunFunctionRequest.encode(request).finish())),
    close: async () => {
      client.close();
      fn.server.forceShutdown();
    },
  };
}

const request = (tag: string, name = "env-a") =>
  RunFunctionRequest.fromJSON({
    meta: { tag },
    observed: { composite: { resource: { apiVersion: "example.org/v1", kind: "XThing", metadata: { name } } } },
  });

/** A compose function that names the composite it saw in a result, and counts its calls. */
function counting(): { compose: ComposeFunction; calls: () => number } {
  let calls = 0;
  const compose: ComposeFunction = (req, rsp) => {
    calls++;
    const name = (req.observed?.composite?.resource as { metadata?: { name?: string } } | undefined)?.metadata?.name;
    normal(rsp, `composed ${name} for ${req.meta?.tag}`);
    return rsp;
  };
  return { compose, calls: () => calls };
}

/**
 * `promise`, or a rejection naming `what` once `ms` have passed: a shutdown that never ends fails its
 * test and still reaches the test's clean-up, which closes the server (a jest timeout would not).
 */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

const grpcError = async (promise: Promise<unknown>): Promise<grpc.ServiceError> => {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("the call succeeded");
};

describe("ResponseCache", () => {
  const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

  it("keys a request by the SHA-256 of its bytes, in base64", () => {
    expect(ResponseCache.keyOf(Buffer.from("abc"))).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    expect(ResponseCache.keyOf(Buffer.from("abd"))).not.toBe(ResponseCache.keyOf(Buffer.from("abc")));
  });

  it("counts hits and misses and gives back what was kept", () => {
    const cache = new ResponseCache(100);
    expect(cache.get("a")).toBeUndefined();
    cache.set("a", bytes(10, 7));
    expect(cache.get("a")).toEqual(bytes(10, 7));
    expect(cache.get("a")).toEqual(bytes(10, 7));
    expect(cache.get("b")).toBeUndefined();
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 2 });
    expect(cache.size).toEqual({ entries: 1, bytes: 10 });
  });

  it("holds at most its bound, dropping the least recently used first", () => {
    const cache = new ResponseCache(30);
    cache.set("a", bytes(10));
    cache.set("b", bytes(10));
    cache.set("c", bytes(10));
    expect(cache.size).toEqual({ entries: 3, bytes: 30 });
    cache.get("a"); // "b" is now the oldest
    cache.set("d", bytes(10));
    expect(cache.size).toEqual({ entries: 3, bytes: 30 });
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.get("d")).toBeDefined();
    // One large entry pushes out as many as it needs, oldest first.
    cache.set("e", bytes(25));
    expect(cache.size).toEqual({ entries: 1, bytes: 25 });
    expect(cache.get("e")).toBeDefined();
  });

  it("keeps a response of exactly its bound and refuses a larger one", () => {
    const cache = new ResponseCache(20);
    cache.set("a", bytes(5));
    cache.set("big", bytes(21));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 1, bytes: 5 });
    cache.set("full", bytes(20));
    expect(cache.get("full")).toBeDefined();
    expect(cache.size).toEqual({ entries: 1, bytes: 20 });
  });

  it("replaces an entry under the same key, counting its bytes once", () => {
    const cache = new ResponseCache(30);
    cache.set("a", bytes(10, 1));
    cache.set("b", bytes(10));
    cache.set("a", bytes(15, 2));
    expect(cache.size).toEqual({ entries: 2, bytes: 25 });
    expect(cache.get("a")).toEqual(bytes(15, 2));
    // "a" was set last, so "b" is the oldest and goes first.
    cache.set("c", bytes(10));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 2, bytes: 25 });
  });

  it("with a bound of 0 keeps nothing", () => {
    const cache = new ResponseCache(0);
    cache.set("a", bytes(1));
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });
});

describe("createFunctionServer over real gRPC on 127.0.0.1", () => {
  it("serves the real compose function with the same answer as the SDK's handler", async () => {
    const claim = {
      kind: "DisasterRecoveryEnvironment",
      metadata: { name: "payments", namespace: "team-payments" },
      spec: { environmentSuffix: "prod01", tier: "backup-restore", primaryRegion: "eu-west-1" },
    };
    const req = requestFor(compositeOf(claim));
    const served = await serve(realCompose);
    try {
      const overTheWire = await served.run(req);
      const inProcess = await fromCompose(realCompose).RunFunction(req);
      expect(Object.keys(overTheWire.desired?.resources ?? {}).length).toBeGreaterThan(20);
      expect(RunFunctionResponse.toJSON(overTheWire)).toEqual(RunFunctionResponse.toJSON(inProcess));
    } finally {
      await served.close();
    }
  });

  it("answers the same request bytes from its cache, and composes again for other bytes", async () => {
    const { compose, calls } = counting();
    const served = await serve(compose);
    try {
      const first = await served.call(RunFunctionRequest.encode(request("t1")).finish());
      const again = await served.call(RunFunctionRequest.encode(request("t1")).finish());
      expect(again).toEqual(first);
      expect(calls()).toBe(1);
      expect({ hits: served.fn.cache.hits, misses: served.fn.cache.misses }).toEqual({ hits: 1, misses: 1 });
      expect(RunFunctionResponse.decode(first).results.map((r) => r.message)).toEqual(["composed env-a for t1"]);
      const other = RunFunctionResponse.decode(await served.call(RunFunctionRequest.encode(request("t2")).finish()));
      expect(other.results.map((r) => r.message)).toEqual(["composed env-a for t2"]);
      expect(calls()).toBe(2);
      expect(served.fn.cache.size.entries).toBe(2);
    } finally {
      await served.close();
    }
  });

  it("with a cache bound of 0 composes every request", async () => {
    const { compose, calls } = counting();
    const served = await serve(compose, 0);
    try {
      const bytes = RunFunctionRequest.encode(request("t1")).finish();
      await served.call(bytes);
      await served.call(bytes);
      expect(calls()).toBe(2);
      expect(served.fn.cache.size).toEqual({ entries: 0, bytes: 0 });
    } finally {
      await served.close();
    }
  });

  it("turns a compose function that throws into a Fatal result carrying its message, and logs it", async () => {
    let thrown: unknown = new Error("the blocks disagree");
    const { logger, records } = recordingLogger();
    const served = await serve(
      () => {
        throw thrown;
      },
      undefined,
      logger,
    );
    try {
      const rsp = await served.run(request("t1"));
      expect(rsp.results.map((r) => [r.severity, r.message])).toEqual([[Severity.SEVERITY_FATAL, "the blocks disagree"]]);
      expect(rsp.meta?.tag).toBe("t1");
      thrown = "not an Error";
      const other = await served.run(request("t2"));
      expect(other.results.map((r) => [r.severity, r.message])).toEqual([[Severity.SEVERITY_FATAL, "not an Error"]]);
      expect(records.map(({ msg, error }) => ({ msg, error }))).toEqual([
        { msg: "function invocation failed", error: "the blocks disagree" },
        { msg: "function invocation failed", error: "not an Error" },
      ]);
    } finally {
      await served.close();
    }
  });

  it("refuses bytes that are not a RunFunctionRequest with INVALID_ARGUMENT, composing nothing", async () => {
    const { compose, calls } = counting();
    const served = await serve(compose);
    try {
      // Field 1 (meta) as a length-delimited field claiming 100 bytes, with 2 present.
      const error = await grpcError(served.call(Buffer.from([0x0a, 100, 1, 2])));
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^cannot decode RunFunctionRequest: \S/);
      expect(calls()).toBe(0);
      expect(served.fn.cache.size.entries).toBe(0);
      // The server still answers afterwards.
      expect((await served.run(request("t1"))).results).toHaveLength(1);
    } finally {
      await served.close();
    }
  });

  it("takes requests up to gRPC's default limit and refuses larger ones", async () => {
    expect(MAX_MESSAGE_BYTES).toBe(4 * 1024 * 1024);
    const { compose, calls } = counting();
    const served = await serve(compose);
    const sized = (bytes: number) => {
      // A request whose context Struct holds one string sized to make the whole message `bytes` long.
      const probe = (n: number) =>
        RunFunctionRequest.encode(RunFunctionRequest.fromJSON({ meta: { tag: "big" }, context: { blob: "x".repeat(n) } })).finish();
      let n = bytes - probe(0).length;
      while (probe(n).length > bytes) n--;
      return probe(n);
    };
    try {
      const fits = sized(MAX_MESSAGE_BYTES - 64);
      await served.call(fits);
      expect(calls()).toBe(1);
      const error = await grpcError(served.call(sized(MAX_MESSAGE_BYTES + 1024)));
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(calls()).toBe(1);
    } finally {
      await served.close();
    }
  });

  describe("shutdown", () => {
    it("lets a request in flight finish and be answered, then resolves", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let markStarted!: () => void;
      const started = new Promise<void>((resolve) => (markStarted = resolve));
      const served = await serve(async (_req, rsp) => {
        markStarted();
        await gate;
        normal(rsp, "late but answered");
        return rsp;
      });
      try {
        const answer = served.run(request("t1"));
        await started;
        let stopped = false;
        // A deadline beyond the test's timeout: only the request finishing can end this shutdown.
        const shutdown = served.fn.shutdown(BEYOND_TEST_TIMEOUT_MS).then(() => (stopped = true));
        await new Promise((r) => setTimeout(r, 200));
        expect(stopped).toBe(false);
        release();
        expect((await answer).results.map((r) => r.message)).toEqual(["late but answered"]);
        await shutdown;
        expect(stopped).toBe(true);
      } finally {
        await served.close();
      }
    });

    it("refuses new calls once it has begun", async () => {
      const served = await serve(counting().compose);
      try {
        const shutdown = served.fn.shutdown(5_000);
        const error = await grpcError(served.call(RunFunctionRequest.encode(request("t1")).finish(), 5_000));
        expect(error.code).not.toBe(grpc.status.OK);
        await shutdown;
      } finally {
        await served.close();
      }
    });

    it("ends at its deadline when a request never finishes, saying how many it cut off", async () => {
      const { logger, records } = recordingLogger();
      const served = await serve(() => new Promise(() => {}), undefined, logger);
      try {
        // The client would wait beyond the test's timeout: only the shutdown's deadline can end the call.
        const pending = grpcError(served.call(RunFunctionRequest.encode(request("t1")).finish(), BEYOND_TEST_TIMEOUT_MS));
        // Wait until the request is in flight.
        await new Promise((r) => setTimeout(r, 300));
        let cutOff = false;
        void pending.then(() => (cutOff = true));
        const shutdown = served.fn.shutdown(500);
        // Before its deadline the call in flight is left open; at it, shutdown ends and cuts it off.
        await new Promise((r) => setTimeout(r, 100));
        expect(cutOff).toBe(false);
        await within(shutdown, 20_000, "the shutdown did not end at its deadline");
        // The open call was cut off, not answered.
        expect((await pending).code).toBe(grpc.status.CANCELLED);
        expect(records).toContainEqual(
          expect.objectContaining({ level: 40, inFlight: 1, msg: "requests still in flight at the shutdown deadline" }),
        );
      } finally {
        await served.close();
      }
    });

    it("answers every request in flight, not only the first to finish, before it ends", async () => {
      const gates = new Map<string, () => void>();
      const served = await serve(async (req, rsp) => {
        await new Promise<void>((resolve) => gates.set(req.meta!.tag, resolve));
        normal(rsp, `answered ${req.meta!.tag}`);
        return rsp;
      });
      try {
        const first = served.run(request("first"));
        const second = served.run(request("second"));
        while (gates.size < 2) await new Promise((r) => setTimeout(r, 20));
        const shutdown = served.fn.shutdown(BEYOND_TEST_TIMEOUT_MS);
        gates.get("first")!();
        expect((await first).results.map((r) => r.message)).toEqual(["answered first"]);
        // Longer than the flush after the last answer: a shutdown that counted the first as the last
        // would have closed the second's stream by now.
        await new Promise((r) => setTimeout(r, 1_500));
        gates.get("second")!();
        expect((await second).results.map((r) => r.message)).toEqual(["answered second"]);
        await shutdown;
      } finally {
        await served.close();
      }
    });

    it("ends once nothing is in flight, even while a client holds a request it never finished sending", async () => {
      const { compose, calls } = counting();
      const served = await serve(compose);
      const session = connect(`http://127.0.0.1:${served.port}`);
      session.on("error", () => {});
      try {
        // A gRPC frame header announcing 10 bytes, none of which follow: the call never reaches the
        // function, and HTTP/2 keeps the stream (and so gRPC's own graceful shutdown) open.
        const stream = session.request({ ":method": "POST", ":path": PATH, "content-type": "application/grpc", te: "trailers" });
        stream.on("error", () => {});
        stream.write(Buffer.from([0, 0, 0, 0, 10]));
        await new Promise((resolve) => stream.once("ready", resolve));
        await new Promise((r) => setTimeout(r, 200));
        await within(served.fn.shutdown(BEYOND_TEST_TIMEOUT_MS), 20_000, "the shutdown did not end with nothing in flight");
        expect(calls()).toBe(0);
      } finally {
        session.destroy();
        await served.close();
      }
    });

    it("with nothing in flight resolves without waiting for its deadline", async () => {
      const served = await serve(counting().compose);
      try {
        await served.run(request("t1"));
        // Waiting for this deadline would fail the test by its timeout.
        await served.fn.shutdown(BEYOND_TEST_TIMEOUT_MS);
        expect((await grpcError(served.call(RunFunctionRequest.encode(request("t2")).finish(), 5_000))).code).not.toBe(grpc.status.OK);
      } finally {
        await served.close();
      }
    });
  });
});
