/**
 * The real function entry point served over gRPC on loopback, fed what a misbehaving or busy
 * client sends. Bounded: at most a few hundred requests, all to 127.0.0.1.
 */
import * as grpc from "@grpc/grpc-js";
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { compositeOf, requestFor } from "../../functions/src/render.js";
import { startFunction, useFunctionServer } from "../support/function-server.js";

const METHOD = FunctionRunnerServiceService.runFunction.path;
const MAX_MESSAGE = 4 * 1024 * 1024;

const claim = (tier = "backup-restore") => ({
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "robust", namespace: "team-robust", uid: "5e6f7a8b-0000-4000-8000-000000000042" },
  spec: {
    environmentSuffix: "rob01",
    tier,
    primaryRegion: "eu-west-1",
    ...(tier === "backup-restore" ? {} : { secondaryRegion: "eu-central-1" }),
  },
});

/** A unary call with raw bytes both ways, so the test can send what no generated client would. */
function rawCall(address: string, payload: Buffer): Promise<{ error?: grpc.ServiceError; body?: Buffer }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      METHOD,
      (b: Buffer) => b,
      (b: Buffer) => b,
      payload,
      new grpc.Metadata(),
      { deadline: Date.now() + 20_000 },
      (error, body) => {
        client.close();
        resolve({ error: error ?? undefined, body });
      },
    );
  });
}

/** A request whose observed state carries `bytes` of padding, so its encoded size is about that plus the claim. */
function paddedRequest(bytes: number): RunFunctionRequest {
  return requestFor(compositeOf(claim()), {
    "primary-padding": { apiVersion: "v1", kind: "ConfigMap", spec: { data: "x".repeat(bytes) } },
  });
}

const fatals = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);

describe("the function server under hostile and heavy input", () => {
  const server = useFunctionServer();

  const stillServes = async () => {
    const rsp = await server().run(requestFor(compositeOf(claim())));
    expect(fatals(rsp)).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(0);
  };

  it("answers bytes that are not a RunFunctionRequest with a gRPC error, and keeps serving", async () => {
    // Field 1, length-delimited, with a length far beyond the message: truncated protobuf.
    const { error } = await rawCall(server().address, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBeDefined();
    expect(error?.code).not.toBe(grpc.status.OK);
    expect(error?.details).toMatch(/\S/);
    await stillServes();
  });

  it("answers an empty request with a Fatal result that says what is missing", async () => {
    const { error, body } = await rawCall(server().address, Buffer.alloc(0));
    expect(error).toBeUndefined();
    const rsp = RunFunctionResponse.decode(body!);
    expect(fatals(rsp).map((r) => r.message)).toEqual(["the request has no observed composite resource"]);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual([]);
  });

  it("serves a request just under 4 MiB", async () => {
    const req = paddedRequest(MAX_MESSAGE - 64 * 1024);
    const size = RunFunctionRequest.encode(req).finish().length;
    expect(size).toBeGreaterThan(MAX_MESSAGE - 128 * 1024);
    expect(size).toBeLessThan(MAX_MESSAGE);
    const rsp = await server().run(req, 30_000);
    expect(fatals(rsp)).toEqual([]);
  }, 60_000);

  it("refuses a request over 4 MiB with RESOURCE_EXHAUSTED, and keeps serving", async () => {
    await expect(server().run(paddedRequest(MAX_MESSAGE + 1024), 30_000)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    await stillServes();
  }, 60_000);

  it("answers 200 concurrent requests, all alike", async () => {
    const req = requestFor(compositeOf(claim("warm-standby")));
    const responses = await Promise.all(Array.from({ length: 200 }, () => server().run(req, 60_000)));
    const desired = responses.map((r) => JSON.stringify((RunFunctionResponse.toJSON(r) as { desired?: unknown }).desired));
    expect(new Set(desired).size).toBe(1);
    expect(responses.flatMap(fatals)).toEqual([]);
  }, 120_000);
});

describe("shutdown", () => {
  it("finishes requests in flight on SIGTERM, then exits 0", async () => {
    const fn = await startFunction();
    const req = requestFor(compositeOf(claim("warm-standby")));
    const calls = Array.from({ length: 30 }, () =>
      fn.run(req, 60_000).then(
        (r) => ({ ok: true as const, resources: Object.keys(r.desired?.resources ?? {}).length }),
        (e: grpc.ServiceError) => ({ ok: false as const, error: e.message }),
      ),
    );
    let answered = 0;
    for (const call of calls) void call.then(() => answered++);
    // The first answer proves the server is working through the batch; the rest are queued in it.
    await Promise.race(calls);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      fn.process.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const inFlight = calls.length - answered;
    fn.process.kill("SIGTERM");
    const results = await Promise.all(calls);
    // Without a handler the signal's default action ends the process: it has no exit code, only the signal.
    expect(inFlight).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const sizes = new Set(results.map((r) => (r.ok ? r.resources : 0)));
    expect(sizes.size).toBe(1);
    expect([...sizes][0]).toBeGreaterThan(0);
    expect(await exit).toEqual({ code: 0, signal: null });
    await fn.stop();
  }, 120_000);
});
