import { validateSpec } from "../../src/api/index.js";
import { PLANNING_FIGURES, recoveryObjectives } from "../../src/recovery.js";
import { estimatedMonthlyCostUSD, monthlyCostLines } from "../../src/cost.js";

const TEAM_DNS = { hostedZoneId: "Z0123456789ABCDEFGHIJ", zoneName: "payments.example.com", hostname: "api.payments.example.com" };

const variants = [
  {},
  { failover: { healthCheckIntervalSeconds: 30, failureThreshold: 10 } },
  { failover: { healthCheckIntervalSeconds: 10, failureThreshold: 1 }, dns: TEAM_DNS },
  { database: { minCapacity: 8, maxCapacity: 64 } },
];

/** backup-restore composes no failover DNS, so the claim API refuses spec.dns there. */
const spec = (tier: string, extra: Record<string, unknown>) =>
  validateSpec({
    environmentSuffix: "t1",
    tier,
    primaryRegion: "us-east-1",
    secondaryRegion: "us-west-2",
    ...(tier === "backup-restore" ? { ...extra, dns: undefined } : extra),
  });

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

test("warm standby with the team's DNS and automatic promotion meets RPO <= 1 s and RTO <= 7 min: 5 sustained minutes, promotion, TTL", () => {
  const r = recoveryObjectives(spec("warm-standby", { dns: TEAM_DNS, failover: { automaticPromotion: true } }));
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

test.each(["pilot-light", "warm-standby"])("%s without a failover hostname counts re-pointing the clients, not a DNS TTL", (tier) => {
  const withDns = recoveryObjectives(spec(tier, { dns: TEAM_DNS }));
  const without = recoveryObjectives(spec(tier, {}));
  const names = (r: typeof without) => r.terms.map((t) => t.name);
  expect(names(without)).toContain("clients are re-pointed at the surviving region's URL (no failover hostname)");
  expect(names(without).some((n) => n.includes("DNS"))).toBe(false);
  expect(names(withDns)).toContain("DNS resolvers follow the failover alias record (alias TTL)");
  expect(without.rtoSeconds - withDns.rtoSeconds).toBe(PLANNING_FIGURES.clientRepointSeconds - PLANNING_FIGURES.aliasTtlSeconds);
});

test("the cost floor of a backup-restore environment is its Aurora floor plus fixed items", () => {
  const lines = monthlyCostLines(spec("backup-restore", { database: { minCapacity: 1, maxCapacity: 2 } }));
  expect(lines[0]).toEqual({ item: "Aurora writer at minimum capacity", usd: 0.12 * 730 });
});

describe("backup-restore's objectives follow where its backups are", () => {
  it("with a backup region: a regional disaster loses up to the last daily copy, restored there", () => {
    const r = recoveryObjectives(spec("backup-restore", {}));
    expect(r.rpoSeconds).toBe(PLANNING_FIGURES.dailyCopyRpoSeconds);
    expect(r.strategy).toMatch(/copied to us-west-2/);
    expect(r.terms).toEqual([
      {
        name: "restore the last copied recovery points and rebuild the stack in us-west-2",
        step: "restore",
        seconds: PLANNING_FIGURES.restoreFromBackupSeconds,
      },
    ]);
  });

  it("without one: the figures are an in-region restore's, and the strategy says a regional outage waits", () => {
    const r = recoveryObjectives(validateSpec({ environmentSuffix: "t1", tier: "backup-restore", primaryRegion: "us-east-1" }));
    expect(r.rpoSeconds).toBe(PLANNING_FIGURES.continuousBackupRpoSeconds);
    expect(r.strategy).toMatch(/backups stay in us-east-1, so a regional outage waits for its return/);
    expect(r.terms.map((t) => t.name)).toEqual(["restore from continuous backups in us-east-1"]);
  });
});
