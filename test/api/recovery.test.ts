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

test("warm standby with the default settings meets RPO <= 1 s and RTO <= 180 s", () => {
  const r = recoveryObjectives(spec("warm-standby", {}));
  expect(r.rpoSeconds).toBeLessThanOrEqual(1);
  expect(r.rtoSeconds).toBeLessThanOrEqual(180);
});

test("the cost floor of a backup-restore environment is its Aurora floor plus fixed items", () => {
  const lines = monthlyCostLines(spec("backup-restore", { database: { minCapacity: 1, maxCapacity: 2 } }));
  expect(lines[0]).toEqual({ item: "Aurora writer at minimum capacity", usd: 0.12 * 730 });
});
