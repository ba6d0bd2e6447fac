/**
 * What the function reports beside the desired resources: one warning for everything still
 * waiting (each result is an event on the composite), the list in status.pending, and the
 * composite's readiness set explicitly. Also the cross-region links the composition declares:
 * each one joins two resources the settled environment really composes, through the field that
 * carries the link.
 */
import { RunFunctionResponse } from "@crossplane-org/function-sdk-typescript";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { render, compositeOf, type Claim } from "../../functions/src/render.js";
import { buildEnvironment, type CompositeResource } from "../../functions/src/environment.js";
import { drLinks } from "../../functions/src/dr-links.js";
import { settle } from "../../tools/policy/settle.js";

type Json = Record<string, any>;
const claim = (file: string) => parse(readFileSync(`examples/${file}`, "utf8")) as Claim;
const json = async (c: Claim, observed: Json = {}) => RunFunctionResponse.toJSON(await render(c, observed)) as Json;

test("everything still waiting is one warning result; status.pending lists each value", async () => {
  const rsp = await json(claim("warm-standby.yaml"));
  const warnings = rsp.results.filter((r: Json) => r.severity === "SEVERITY_WARNING");
  const waiting = (rsp.desired.composite.resource.status.pending as string[]).filter((p) => / waits for /.test(p));
  expect(waiting.length).toBeGreaterThan(10);
  expect(warnings).toHaveLength(1);
  expect(warnings[0].message).toContain(`wait for ${waiting.length} values AWS decides`);
  expect(warnings[0].message).toContain(`(first: ${waiting[0]})`);
  expect(warnings[0].message).toContain("status.pending lists them");
});

test("the composite is explicitly not ready while anything waits, and ready once every resource is composed and ready", async () => {
  const c = claim("backup-restore.yaml");
  expect((await json(c)).desired.composite.ready).toBe("READY_FALSE");
  const settled = await settle(c);
  // Settled: nothing waits, but the last round's resources were never observed, so not all are ready yet.
  const last = RunFunctionResponse.toJSON(settled.response) as Json;
  expect(last.results.filter((r: Json) => r.severity === "SEVERITY_WARNING")).toEqual([]);
  const allReady = Object.fromEntries(
    Object.entries(last.desired.resources as Record<string, { resource: Json }>).map(([name, { resource }]) => [
      name,
      {
        ...resource,
        metadata: { ...resource.metadata, name },
        status: { ...settled.observed[name]?.status, conditions: [{ type: "Ready", status: "True", reason: "Available" }] },
      },
    ]),
  );
  const ready = await json(c, allReady);
  expect(ready.desired.composite.resource.status.pending).toEqual([]);
  expect(ready.desired.composite.ready).toBe("READY_TRUE");
});

/** Where each kind of link lives in the source resource's spec, and what of the target it holds. */
const LINK_FIELDS: Record<string, (spec: Json, target: Json) => unknown> = {
  // The secondary joins by the global cluster's identifier; the global cluster is made from the primary.
  "global database": (s, t) => s.forProvider.globalClusterIdentifier ?? t.forProvider.sourceDbClusterIdentifierSelector,
  "table replica": () => undefined,
  "bucket replication": (s) => s.forProvider.rule[0].destination.bucketSelector,
  "backup copy": (s) => s.forProvider.rule[0].copyAction?.[0]?.destinationVaultArn,
  "failover pair": (s) => s.forProvider.setIdentifier,
  "queue fan-out": (s) => s.forProvider.environment.variables.OTHER_QUEUE_URL,
};

test.each(["pilot-light.yaml", "warm-standby.yaml"])(
  "every link between regions of %s joins two composed resources in different regions",
  async (file) => {
    const c = claim(file);
    const settled = await settle(c);
    const env = buildEnvironment(compositeOf(c) as CompositeResource);
    const links = drLinks(env);
    // The failover pair exists only on the team's own DNS (spec.dns).
    const kinds = ["global database", "table replica", "bucket replication", "backup copy", ...(env.spec.dns ? ["failover pair"] : [])];
    expect(new Set(links.map((l) => l.kind))).toEqual(new Set(env.spec.messaging.enabled ? [...kinds, "queue fan-out"] : kinds));
    for (const link of links) {
      const from = settled.resources[link.from] as Json | undefined;
      const to = settled.resources[link.to] as Json | undefined;
      expect({ link, from: from?.kind, to: to?.kind }).toEqual({ link, from: expect.any(String), to: expect.any(String) });
      // The one Global Database sits in the primary region; every other link crosses regions.
      const role = (m: Json) => m.metadata.labels["dr.platform.io/region-role"];
      if (link.from !== "primary-aurora-cluster") expect(role(from!)).not.toBe(role(to!));
      if (link.kind !== "table replica") expect(LINK_FIELDS[link.kind]!(from!.spec, to!.spec)).toBeDefined();
    }
    // The replica points at the primary's table, the backup copy at the other region's vault.
    const replica = settled.resources["secondary-table-replica"] as Json;
    expect(replica.spec.forProvider.globalTableArnSelector.matchLabels["dr.platform.io/resource"]).toBe("table");
  },
);

test("one region, no links", async () => {
  expect(drLinks(buildEnvironment(compositeOf(claim("backup-restore.yaml")) as CompositeResource))).toEqual([]);
});
