/**
 * The compose memo (functions/src/memo.ts): a composition with it equals one without it after any
 * sequence of changes to the composite and what is observed, and the counters show which blocks
 * it reused.
 */
import fc from "fast-check";
import { composeEnvironment } from "../../functions/src/compose.js";
import { buildEnvironment, type CompositeResource, type ObservedResource } from "../../functions/src/environment.js";
import { compositeOf, type Claim } from "../../functions/src/render.js";
import { ComposeMemo, recording, type BlockResult } from "../../functions/src/memo.js";
import { blocksFor } from "../../functions/src/blocks/index.js";
import { settle } from "../../tools/policy/settle.js";
import { withDefaults } from "../../src/api/index.js";

const MiB = 1024 * 1024;

const claim: Claim = {
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "orders", namespace: "team-orders" },
  spec: {
    environmentSuffix: "prod01",
    tier: "warm-standby",
    primaryRegion: "us-east-1",
    secondaryRegion: "us-west-2",
    alerts: { emails: ["oncall@example.com"] },
  },
};

let observed: Record<string, ObservedResource>;
let xr: CompositeResource;

beforeAll(async () => {
  const settled = await settle(claim);
  expect(settled.fatal).toBeUndefined();
  observed = settled.observed;
  xr = compositeOf({ ...claim, spec: withDefaults(claim.spec) as Record<string, unknown> }) as CompositeResource;
});

const blockCount = (env: ReturnType<typeof buildEnvironment>) => env.regions.reduce((n, r) => n + Object.keys(blocksFor(env, r)).length, 0);

/** Compose with the memo and without it; they must agree in resources, their order and what waits. */
function expectSameAsFresh(memo: ComposeMemo, composite: CompositeResource, seen: Record<string, ObservedResource>) {
  const memoized = composeEnvironment(buildEnvironment(composite, seen), memo);
  const fresh = composeEnvironment(buildEnvironment(composite, seen));
  expect(Object.keys(memoized.resources)).toEqual(Object.keys(fresh.resources));
  expect(memoized.resources).toEqual(fresh.resources);
  expect(memoized.pending).toEqual(fresh.pending);
}

const withAtProvider = (seen: Record<string, ObservedResource>, name: string, field: string, value: unknown) => ({
  ...seen,
  [name]: { ...seen[name], status: { ...seen[name]?.status, atProvider: { ...seen[name]?.status?.atProvider, [field]: value } } },
});

describe("the compose memo", () => {
  it("reuses every block when nothing changed between two reconciles", () => {
    const memo = new ComposeMemo(64 * MiB);
    const env = buildEnvironment(xr, observed);
    const first = composeEnvironment(env, memo);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 0, misses: blockCount(env) });
    const second = composeEnvironment(buildEnvironment(xr, observed), memo);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: blockCount(env), misses: blockCount(env) });
    expect(second.resources).toEqual(first.resources);
  });

  it("recomposes only the blocks that read an observed resource that changed", () => {
    const memo = new ComposeMemo(64 * MiB);
    const env = buildEnvironment(xr, observed);
    composeEnvironment(env, memo);
    const misses = memo.misses;
    // The alerts topic's ARN is read by the primary monitoring block (the alarms' actions) and by compute (the Lambda's TOPIC_ARN).
    const changed = withAtProvider(observed, "primary-alerts-topic", "arn", "arn:aws:sns:us-east-1:123456789012:other-topic");
    expectSameAsFresh(memo, xr, changed);
    const recomposed = memo.misses - misses;
    expect(recomposed).toBeGreaterThan(0);
    expect(recomposed).toBeLessThan(blockCount(env) / 2);
    const alarms = Object.entries(composeEnvironment(buildEnvironment(xr, changed), memo).resources).filter(
      ([name, r]) => name.startsWith("primary-alarm-") && (r as any).kind === "MetricAlarm",
    );
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms)
      expect((alarm as any).spec.forProvider.alarmActions).toEqual(["arn:aws:sns:us-east-1:123456789012:other-topic"]);
  });

  it("recomposes a block when an observed resource it looked up and did not find appears", () => {
    const memo = new ComposeMemo(64 * MiB);
    const { "primary-alerts-topic": _topic, ...withoutTopic } = observed;
    expectSameAsFresh(memo, xr, withoutTopic);
    const waiting = composeEnvironment(buildEnvironment(xr, withoutTopic), memo);
    expect(waiting.pending.some((p) => p.reason.includes("primary-alerts-topic"))).toBe(true);
    expectSameAsFresh(memo, xr, observed);
    expect(composeEnvironment(buildEnvironment(xr, observed), memo).pending).toEqual([]);
  });

  it("recomposes everything when the composite's spec changes", () => {
    const memo = new ComposeMemo(64 * MiB);
    const env = buildEnvironment(xr, observed);
    composeEnvironment(env, memo);
    const tagged = { ...xr, spec: { ...xr.spec, tags: { team: "payments" } } };
    const hits = memo.hits;
    expectSameAsFresh(memo, tagged, observed);
    expect(memo.hits).toBe(hits);
  });

  it("keeps no result of a block that lists the observed resources: it depends on all of them", () => {
    const memo = new ComposeMemo(64 * MiB);
    const env = buildEnvironment(xr, observed);
    const listing = (rec: ReturnType<typeof recording>): BlockResult => ({
      resources: [["primary-listing", { count: Object.keys(rec.env.observed).length }]],
      pending: [],
      bytes: 20,
    });
    const block = () => ({});
    memo.reconcile(env)(env.primary, "listing", block, listing);
    memo.reconcile(env)(env.primary, "listing", block, listing);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 0, misses: 2 });
  });

  it("records each name a block looks up (by property read or by `in`) and each member it reads of it", () => {
    const rec = recording(buildEnvironment(xr, observed));
    void rec.env.observed["primary-vpc"]?.status?.atProvider;
    void ("secondary-absent" in rec.env.observed);
    const dashboard = rec.env.observed["primary-dashboard"]!;
    void Object.keys(dashboard);
    expect(Object.fromEntries([...rec.reads].map(([name, members]) => [name, [...members]]))).toEqual({
      "primary-vpc": ["status"],
      "secondary-absent": [],
      "primary-dashboard": expect.arrayContaining(["*"]),
    });
    expect(rec.listed).toBe(false);
  });

  it("reads no observed spec to key a block that read only statuses, so the codec's deferred specs stay undecoded", () => {
    const memo = new ComposeMemo(64 * MiB);
    const decoded: string[] = [];
    const lazy = Object.fromEntries(
      Object.entries(observed).map(([name, resource]) => {
        const copy = { ...resource };
        Object.defineProperty(copy, "spec", { enumerable: true, get: () => (decoded.push(name), resource.spec) });
        return [name, copy];
      }),
    );
    composeEnvironment(buildEnvironment(xr, lazy), memo);
    composeEnvironment(buildEnvironment(xr, lazy), memo);
    expect(decoded).toEqual([]);
    expect(memo.hits).toBeGreaterThan(0);
  });

  it("freezes what it reuses, so a caller that changes a shared manifest fails instead of changing the next reconcile", () => {
    const memo = new ComposeMemo(64 * MiB);
    composeEnvironment(buildEnvironment(xr, observed), memo);
    const { resources } = composeEnvironment(buildEnvironment(xr, observed), memo);
    const vpc = resources["primary-vpc"] as { spec: { forProvider: { cidrBlock: string } } };
    expect(() => {
      vpc.spec.forProvider.cidrBlock = "10.99.0.0/16";
    }).toThrow(TypeError);
  });

  it("keeps nothing with a bound of 0, and drops the least recently used composite at its bound", () => {
    const off = new ComposeMemo(0);
    composeEnvironment(buildEnvironment(xr, observed), off);
    composeEnvironment(buildEnvironment(xr, observed), off);
    expect(off.hits).toBe(0);
    expect(off.size).toEqual({ composites: 0, bytes: 0 });

    const sizing = new ComposeMemo(64 * MiB);
    composeEnvironment(buildEnvironment(xr, observed), sizing);
    const one = sizing.size.bytes;
    const bounded = new ComposeMemo(Math.ceil(one * 1.5));
    const other = { ...xr, metadata: { ...xr.metadata, name: "orders-copy" } };
    composeEnvironment(buildEnvironment(xr, observed), bounded);
    composeEnvironment(buildEnvironment(other, observed), bounded);
    expect(bounded.size.composites).toBe(1);
    expect(bounded.size.bytes).toBeLessThanOrEqual(Math.ceil(one * 1.5));
    const hits = bounded.hits;
    composeEnvironment(buildEnvironment(xr, observed), bounded);
    expect(bounded.hits).toBe(hits);
  });

  it("agrees with composing afresh over any sequence of observed and spec changes (fast-check)", () => {
    const names = Object.keys(observed);
    const change = fc.oneof(
      fc.record({ kind: fc.constant("status" as const), name: fc.constantFrom(...names), value: fc.string({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant("gone" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("back" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("tags" as const), value: fc.constantFrom("a", "b") }),
      fc.constant({ kind: "none" as const }),
    );
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 5 }), (changes) => {
        const memo = new ComposeMemo(64 * MiB);
        let seen = observed;
        let composite = xr;
        expectSameAsFresh(memo, composite, seen);
        for (const c of changes) {
          if (c.kind === "status") {
            // Every field a block reads is an atProvider string; a changed one reaches every block that read it.
            const fields = Object.keys(seen[c.name]?.status?.atProvider ?? {});
            seen = withAtProvider(seen, c.name, fields[0] ?? "arn", `arn:aws:test:us-east-1:123456789012:${c.value}`);
          } else if (c.kind === "gone") {
            const { [c.name]: _gone, ...rest } = seen;
            seen = rest;
          } else if (c.kind === "back") {
            seen = { ...seen, [c.name]: observed[c.name]! };
          } else if (c.kind === "tags") {
            composite = { ...composite, spec: { ...composite.spec, tags: { team: c.value } } };
          }
          expectSameAsFresh(memo, composite, seen);
        }
      }),
      { numRuns: 12 },
    );
  });
});
