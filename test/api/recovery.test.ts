import { validateSpec } from "../../src/api/index.js";
import { recoveryObjectives } from "../../src/recovery.js";
import { estimatedMonthlyCostUSD, monthlyCostLines } from "../../src/cost.js";

const variants = [
  {},
  { failover: { healthCheckIntervalSeconds: 30, failureThreshold: 10, dnsTtlSeconds: 300 } },
  { failover: { healthCheckIntervalSeconds: 10, failureThreshold: 1, dnsTtlSeconds: 10 } },
  { database: { minCapacity: 8, maxCapacity: 64 } },
];

const spec = (tier: string, extra: object) =>
  validateSpec({ environmentSuffix: "t1", tier, primaryRegion: "us-east-1", secondaryRegion: "us-west-2", ...extra });

describe.each(variants)("tiers with %j", (extra) => {
  const [backup, pilot, warm] = ["backup-restore", "pilot-light", "warm-standby"].map((t) => spec(t, extra));

  it("recover faster the warmer the tier", () => {
    expect(recoveryObjectives(warm).rtoSeconds).toBeLessThan(recoveryObjectives(pilot).rtoSeconds);
    expect(recoveryObjectives(pilot).rtoSeconds).toBeLessThan(recoveryObjectives(backup).rtoSeconds);
    expect(recoveryObjectives(warm).rpoSeconds).toBeLessThan(recoveryObjectives(backup).rpoSeconds);
  });

  it("cost more the warmer the tier", () => {
    expect(estimatedMonthlyCostUSD(warm)).toBeGreaterThan(estimatedMonthlyCostUSD(pilot));
    expect(estimatedMonthlyCostUSD(pilot)).toBeGreaterThan(estimatedMonthlyCostUSD(backup));
  });

  it("adds the RTO up from its terms", () => {
    const r = recoveryObjectives(warm);
    expect(r.terms.reduce((s, t) => s + t.seconds, 0)).toBe(r.rtoSeconds);
  });
});

test("warm standby with automatic promotion meets RPO <= 1 s and RTO <= 7 min: 5 sustained minutes, promotion, TTL", () => {
  const r = recoveryObjectives(spec("warm-standby", { failover: { automaticPromotion: true } }));
  expect(r.rpoSeconds).toBeLessThanOrEqual(1);
  expect(r.rtoSeconds).toBeLessThanOrEqual(420);
  expect(r.terms.map((t) => t.step)).toEqual(["detect", "promote", "dns"]);
});

test("without automatic promotion the model counts a person deciding, and pilot light adds a writer first", () => {
  const manual = recoveryObjectives(spec("pilot-light", {}));
  expect(manual.terms.map((t) => t.step)).toEqual(["detect", "add-writer", "promote", "dns"]);
  expect(manual.terms[0]!.name).toMatch(/drctl failover --unplanned/);
  expect(recoveryObjectives(spec("pilot-light", { failover: { automaticPromotion: true } })).rtoSeconds).toBeLessThan(manual.rtoSeconds);
});

test("the cost floor of a backup-restore environment is its Aurora floor plus fixed items", () => {
  const lines = monthlyCostLines(spec("backup-restore", { database: { minCapacity: 1, maxCapacity: 2 } }));
  expect(lines[0]).toEqual({ item: "Aurora writer at minimum capacity", usd: 0.12 * 730 });
});
