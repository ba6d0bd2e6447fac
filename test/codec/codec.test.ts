/**
 * The byte-level codec against the SDK's generated codec: fuzzed Structs and whole requests read
 * to the same values, responses are written to the same bytes, and both codecs read ours back
 * identically. The SDK codec is the reference; nothing here is mocked.
 * @mutation-judges codec
 */
import fc from "fast-check";
import { Ready, RunFunctionRequest, RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { decodeRunFunctionRequest, decodeStruct, encodeRunFunctionResponse, encodeStruct } from "../../functions/src/codec.js";
import { compose } from "../../functions/src/function.js";
import { deepFreeze } from "../../src/immutable.js";
import { compositeOf, requestFor } from "../../functions/src/render.js";
import { to } from "@crossplane-org/function-sdk-typescript";
import { nextObserved, settle, type RenderedJson } from "../../tools/policy/settle.js";
import { readClaim } from "../../tools/render/load.js";

const RUNS = 300;

// Keys include the empty string and "__proto__", which both codecs must treat alike.
// "spec", "metadata" and "managedFields" are the members an observed composed resource defers (codec.ts).
// "toString" and "constructor" are Object.prototype members, which no decoding plan may mistake for its own.
const key = fc.oneof(
  fc.string(),
  fc.constantFrom("", "__proto__", "apiVersion", "ü-ñ-😀", "spec", "metadata", "managedFields", "toString", "constructor"),
);
const { struct: structArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.string({ unit: "binary" }),
    tie("list"),
    tie("struct"),
  ),
  list: fc.array(tie("value"), { maxLength: 5 }),
  struct: fc.dictionary(key, tie("value"), { maxKeys: 6 }),
})) as unknown as { struct: fc.Arbitrary<Record<string, unknown>> };

// Connection-detail keys leave out "__proto__": the SDK's fromPartial assigns map entries onto a
// plain object, so that key replaces its prototype with a Buffer's and a later "length" key throws
// inside the reference codec itself (seed 1936870110), which is no verdict on ours.
const connectionKey = key.filter((k) => k !== "__proto__");
const resourceArb = fc.record({
  resource: fc.option(structArb, { nil: undefined }),
  connectionDetails: fc.dictionary(
    connectionKey,
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    { maxKeys: 3 },
  ),
  ready: fc.constantFrom(Ready.READY_UNSPECIFIED, Ready.READY_TRUE, Ready.READY_FALSE),
});
const stateArb = fc.record({
  composite: fc.option(resourceArb, { nil: undefined }),
  resources: fc.dictionary(key, resourceArb, { maxKeys: 4 }),
});
const requestArb = fc.record({
  meta: fc.option(fc.record({ tag: fc.string(), capabilities: fc.constant([]) }), { nil: undefined }),
  observed: fc.option(stateArb, { nil: undefined }),
  desired: fc.option(stateArb, { nil: undefined }),
  input: fc.option(structArb, { nil: undefined }),
  context: fc.option(structArb, { nil: undefined }),
});
const responseArb = fc.record({
  meta: fc.option(fc.record({ tag: fc.string(), ttl: fc.constant({ seconds: 60, nanos: 0 }) }), { nil: undefined }),
  desired: fc.option(stateArb, { nil: undefined }),
  results: fc.array(fc.record({ severity: fc.constantFrom(Severity.SEVERITY_NORMAL, Severity.SEVERITY_FATAL), message: fc.string() }), {
    maxLength: 3,
  }),
  context: fc.option(structArb, { nil: undefined }),
  conditions: fc.constant([]),
  output: fc.option(structArb, { nil: undefined }),
});

const sdkRequestBytes = (req: unknown) => RunFunctionRequest.encode(RunFunctionRequest.fromPartial(req as RunFunctionRequest)).finish();
const sdkResponse = (rsp: unknown) => RunFunctionResponse.fromPartial(rsp as RunFunctionResponse);

/** Connection detail values compared as bytes: the SDK hands out Buffers, so do we. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))) as unknown;

describe("the byte-level codec reads what the SDK's codec reads", () => {
  it("decodes fuzzed requests to the same values", () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const bytes = sdkRequestBytes(req);
        const ours = decodeRunFunctionRequest(bytes);
        const theirs = RunFunctionRequest.decode(bytes);
        expect(ours).toEqual(theirs);
        expect(plain(ours)).toEqual(plain(theirs));
      }),
      { numRuns: RUNS },
    );
  });

  it("decodes an observed resource with a member named like an Object.prototype property (a case fuzzing found)", () => {
    const req = { observed: { resources: { "": { resource: { toString: { "": null } }, connectionDetails: {}, ready: 0 } } } };
    const bytes = sdkRequestBytes(req);
    expect(plain(decodeRunFunctionRequest(bytes))).toEqual(plain(RunFunctionRequest.decode(bytes)));
  });

  it("decodes a Struct field to the same object as the SDK, for fuzzed Structs", () => {
    fc.assert(
      fc.property(structArb, (input) => {
        const bytes = sdkRequestBytes({ input });
        const theirs = RunFunctionRequest.decode(bytes).input;
        const ours = decodeRunFunctionRequest(bytes).input;
        expect(ours).toEqual(theirs);
        expect(decodeStruct(encodeStruct(input))).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses truncated and garbled bytes, as the SDK does", () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), (req, cut) => {
        const bytes = sdkRequestBytes(req);
        if (bytes.length < 2) return;
        const truncated = bytes.subarray(0, cut % (bytes.length - 1));
        let theirs: unknown;
        let sdkFailed = false;
        try {
          theirs = RunFunctionRequest.decode(truncated);
        } catch {
          sdkFailed = true;
        }
        if (sdkFailed) expect(() => decodeRunFunctionRequest(truncated)).toThrow();
        else expect(decodeRunFunctionRequest(truncated)).toEqual(theirs);
      }),
      { numRuns: RUNS },
    );
    expect(() => decodeRunFunctionRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))).toThrow();
    expect(() => decodeRunFunctionRequest(Buffer.from([0x12, 0x05, 0x0a, 0x03, 0x0a, 0x09]))).toThrow(/past the end/);
  });
});

describe("the byte-level codec writes what the SDK's codec writes", () => {
  it("encodes fuzzed responses to the SDK's bytes, which both codecs read back alike", () => {
    fc.assert(
      fc.property(responseArb, (fuzzed) => {
        const rsp = sdkResponse(fuzzed);
        const ours = encodeRunFunctionResponse(rsp);
        expect(Buffer.compare(ours, Buffer.from(RunFunctionResponse.encode(rsp).finish()))).toBe(0);
        // Response field 4 (context) and request field 4 (input) are both Structs under tag 0x22.
        if (rsp.context !== undefined) {
          const viaOurs = decodeRunFunctionRequest(encodeRunFunctionResponse(sdkResponse({ context: rsp.context }))).input;
          expect(viaOurs).toEqual(RunFunctionResponse.decode(ours).context);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("writes a deeply frozen Struct (a manifest the compose memo keeps) to the SDK's bytes, the first time and from its kept encoding after", () => {
    fc.assert(
      fc.property(responseArb, (fuzzed) => {
        const rsp = sdkResponse(fuzzed);
        const expected = Buffer.from(RunFunctionResponse.encode(rsp).finish());
        for (const resource of Object.values(rsp.desired?.resources ?? {})) if (resource.resource) deepFreeze(resource.resource);
        expect(Buffer.compare(encodeRunFunctionResponse(rsp), expected)).toBe(0);
        expect(Buffer.compare(encodeRunFunctionResponse(rsp), expected)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("round-trips a composed warm-standby environment byte for byte", async () => {
    const claim = {
      kind: "DisasterRecoveryEnvironment",
      metadata: { name: "codec", namespace: "team-codec", uid: "5e6f7a8b-0000-4000-8000-000000000016" },
      spec: { environmentSuffix: "cdc01", tier: "warm-standby", primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" },
    };
    const requestBytes = RunFunctionRequest.encode(requestFor(compositeOf(claim))).finish();
    const req = decodeRunFunctionRequest(requestBytes);
    expect(req).toEqual(RunFunctionRequest.decode(requestBytes));
    const rsp = (await compose(req, to(req) as never, undefined)) as RunFunctionResponse;
    expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(50);
    const ours = encodeRunFunctionResponse(rsp);
    expect(Buffer.compare(ours, Buffer.from(RunFunctionResponse.encode(rsp).finish()))).toBe(0);
    expect(RunFunctionResponse.decode(ours)).toEqual(rsp);
    // The second reconcile of the same composite reuses the memo's frozen manifests and their kept encodings.
    const next = decodeRunFunctionRequest(requestBytes);
    const again = (await compose(next, to(next) as never, undefined)) as RunFunctionResponse;
    expect(Object.isFrozen(Object.values(again.desired?.resources ?? {})[0]?.resource)).toBe(true);
    expect(Buffer.compare(encodeRunFunctionResponse(again), ours)).toBe(0);
  });

  it("names the value it cannot encode", () => {
    expect(() => encodeStruct({ when: (() => 1) as unknown })).toThrow(/function/);
  });
});

describe("the codec decodes an observed spec only when compose reads it", () => {
  /** Composed resource names whose observed spec has been decoded (no longer a deferred accessor). */
  const decodedSpecs = (req: RunFunctionRequest) =>
    Object.entries(req.observed?.resources ?? {})
      .filter(([, r]) => r.resource && Object.getOwnPropertyDescriptor(r.resource, "spec")?.get === undefined)
      .map(([name]) => name);

  let observed: Record<string, any>;
  let claim: any;
  beforeAll(async () => {
    claim = readClaim(new URL("../../examples/warm-standby.yaml", import.meta.url).pathname);
    const settled = await settle(claim);
    // Every resource observed as AWS reports it: what the settled render desires, ready, with its values.
    observed = nextObserved(RunFunctionResponse.toJSON(settled.response) as RenderedJson, settled.observed, claim);
  });

  const composeOurs = async (state: Record<string, any>) => {
    const bytes = RunFunctionRequest.encode(requestFor(compositeOf(claim), state)).finish();
    const req = decodeRunFunctionRequest(bytes);
    expect(decodedSpecs(req)).toEqual([]);
    const rsp = (await compose(req, to(req) as never, undefined)) as RunFunctionResponse;
    const reference = (await compose(
      RunFunctionRequest.decode(bytes),
      to(RunFunctionRequest.decode(bytes)) as never,
      undefined,
    )) as RunFunctionResponse;
    expect(RunFunctionResponse.toJSON(rsp)).toEqual(RunFunctionResponse.toJSON(reference));
    return { req, rsp };
  };

  it("decodes no observed spec when nothing waits", async () => {
    const { req, rsp } = await composeOurs(observed);
    expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(200);
    expect(decodedSpecs(req)).toEqual([]);
  });

  it("decodes the spec of a resource that waits for a value, to keep it as Crossplane saw it, and no other", async () => {
    // The stage waits for the deployment's id once AWS stops reporting it.
    const waiting = Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, structuredClone(v)]));
    const deployment = Object.keys(waiting).find((k) => k.startsWith("primary-") && waiting[k].kind === "Deployment")!;
    delete waiting[deployment].status.atProvider.id;
    const { req, rsp } = await composeOurs(waiting);
    const kept = decodedSpecs(req);
    expect(kept.length).toBeGreaterThan(0);
    for (const name of kept) expect(rsp.desired?.resources[name]?.resource).toMatchObject({ spec: waiting[name].spec });
  });
});
