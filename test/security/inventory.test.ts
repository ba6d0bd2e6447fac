/**
 * Each tier's settled composition holds its inventory (test/support/inventory.ts), and the check
 * that says so fails on an empty or partial composition: the fuzzed "valid claims" property
 * included, run here in-process against a function whose regional blocks compose nothing.
 */
import { REGIONAL_BLOCKS } from "../../functions/src/blocks/index.js";
import type { Claim } from "../../functions/src/render.js";
import { validateSpec } from "../../src/api/index.js";
import { settle } from "../../tools/policy/index.js";
import { PROPERTIES } from "../fuzz/properties.js";
import { expectedInventory, inventoryOf, inventoryProblems } from "../support/inventory.js";

const claimOf = (spec: Record<string, unknown>): Claim => ({
  apiVersion: "dr.platform.io/v1alpha1",
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "ledger", namespace: "team-ledger", uid: "9a8b7c6d-0000-4000-8000-00000000abcd" },
  spec: { environmentSuffix: "led01", primaryRegion: "eu-west-1", alerts: { emails: ["oncall@example.com", "dba@example.com"] }, ...spec },
});

const TIERS: Array<[string, Record<string, unknown>]> = [
  ["backup-restore", { tier: "backup-restore" }],
  ["backup-restore with messaging", { tier: "backup-restore", messaging: { enabled: true } }],
  ["backup-restore with a backup region", { tier: "backup-restore", secondaryRegion: "eu-central-1" }],
  ["pilot-light", { tier: "pilot-light", secondaryRegion: "eu-central-1" }],
  ["warm-standby", { tier: "warm-standby", secondaryRegion: "eu-central-1", network: { availabilityZones: 3 } }],
  ["warm-standby with messaging", { tier: "warm-standby", secondaryRegion: "eu-central-1", messaging: { enabled: true } }],
  ["pilot-light, secondary active", { tier: "pilot-light", secondaryRegion: "eu-central-1", failover: { activeRegion: "secondary" } }],
];

describe.each(TIERS)("%s: the settled composition holds the tier's inventory", (_name, spec) => {
  let resources: Awaited<ReturnType<typeof settle>>["resources"];
  beforeAll(async () => {
    const settled = await settle(claimOf(spec));
    expect(settled.fatal).toBeUndefined();
    resources = settled.resources;
  });
  const valid = () => validateSpec(claimOf(spec).spec);

  it("every inventoried kind, counted by region role", () => {
    expect(inventoryOf(resources)).toEqual(expectedInventory(valid()));
    expect(inventoryProblems(resources, valid())).toEqual([]);
  });

  it("an empty composition breaks it", () => {
    expect(inventoryProblems({}, valid()).length).toBe(Object.keys(expectedInventory(valid())).length);
  });

  it("a composition missing any one inventoried resource breaks it", () => {
    const inventoried = Object.keys(resources).filter((name) => Object.keys(inventoryOf({ [name]: resources[name]! })).length > 0);
    expect(inventoried.length).toBeGreaterThan(30);
    for (const name of inventoried) {
      const { [name]: _dropped, ...partial } = resources;
      expect({ name, problems: inventoryProblems(partial, valid()).length }).toEqual({ name, problems: 1 });
    }
  });
});

it("the fuzzed valid-claims property fails on a function whose blocks compose nothing", async () => {
  const originals = { ...REGIONAL_BLOCKS };
  for (const block of Object.keys(REGIONAL_BLOCKS)) REGIONAL_BLOCKS[block] = () => ({});
  try {
    const property = PROPERTIES.find((p) => p.name.startsWith("valid claims compose valid"))!;
    const details = await property.run({ numRuns: 5, seed: 1 });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/expected \d+/);
  } finally {
    Object.assign(REGIONAL_BLOCKS, originals);
  }
}, 120_000);
