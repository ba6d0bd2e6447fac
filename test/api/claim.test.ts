/**
 * The claim checked as the API server checks it with strict field validation; the same module the
 * render and policy CLIs call. The function checks the spec with the same rules (validateSpec).
 */
import { claimErrors, didYouMean, validateClaim, validateSpec, ClaimValidationError, API_VERSION_STRING } from "../../src/api/index.js";

const good = () => ({
  apiVersion: API_VERSION_STRING,
  kind: "DisasterRecoveryEnvironment",
  metadata: { name: "payments", namespace: "team-payments" },
  spec: { environmentSuffix: "prod01", tier: "warm-standby", primaryRegion: "us-east-1", secondaryRegion: "us-east-2" } as Record<
    string,
    unknown
  >,
});

test("a good claim passes and comes back with defaults", () => {
  expect(claimErrors(good())).toEqual([]);
  expect(validateClaim(good()).network.availabilityZones).toBe(2);
});

test("Crossplane's own claim fields are not unknown", () => {
  const claim = good();
  claim.spec.compositionRef = { name: "x" };
  claim.spec.writeConnectionSecretToRef = { name: "y" };
  expect(claimErrors(claim)).toEqual([]);
});

test("every unknown field, at any depth, is named with a guess", () => {
  const claim = { ...good(), extra: 1 } as Record<string, any>;
  claim.spec.teir = "x";
  claim.spec.database = { maxCapcity: 4 };
  claim.spec.failover = { healthCheckInterval: 10, zzz: 1 };
  expect(claimErrors(claim)).toEqual(
    expect.arrayContaining([
      { field: "extra", message: "unknown field" },
      { field: "spec.teir", message: "unknown field; did you mean spec.tier?" },
      { field: "spec.database.maxCapcity", message: "unknown field; did you mean spec.database.maxCapacity?" },
      { field: "spec.failover.healthCheckInterval", message: "unknown field; did you mean spec.failover.healthCheckIntervalSeconds?" },
      { field: "spec.failover.zzz", message: "unknown field" },
    ]),
  );
});

test("tags take any valid key; they are a map, not fields", () => {
  const claim = good();
  claim.spec.tags = { CostCenter: "Ops", "team:owner": "payments" };
  expect(claimErrors(claim)).toEqual([]);
});

test("a wrong apiVersion, kind or missing name is refused naming the field", () => {
  const fields = claimErrors({ apiVersion: "dr.platform.io/v9", kind: "DisasterRecoveryEnviroment", metadata: {}, spec: good().spec }).map(
    (e) => e.field,
  );
  expect(fields).toEqual(["apiVersion", "kind", "metadata.name"]);
  expect(() => validateClaim({ ...good(), apiVersion: "v1" })).toThrow(ClaimValidationError);
});

test("schema, CEL and domain errors come in one pass", () => {
  const claim = good();
  claim.spec = {
    ...claim.spec,
    environmentSuffix: "X",
    primaryRegion: "us-west-1",
    network: { cidr: "10.0.3.0/16", availabilityZones: 3 },
  };
  const fields = claimErrors(claim).map((e) => e.field);
  expect(fields).toEqual(expect.arrayContaining(["spec.environmentSuffix", "spec.network.cidr", "spec.network.availabilityZones"]));
});

test("the function's spec check refuses a region without enough zones, as the CLIs do", () => {
  expect(() =>
    validateSpec({ ...good().spec, tier: "backup-restore", primaryRegion: "us-west-1", network: { availabilityZones: 3 } }),
  ).toThrow("spec.network.availabilityZones: spec.primaryRegion us-west-1 offers 2 availability zones, 3 requested");
  // Only the regions the tier uses count: a backup-restore claim's secondaryRegion composes nothing.
  expect(() =>
    validateSpec({ ...good().spec, tier: "backup-restore", secondaryRegion: "us-west-1", network: { availabilityZones: 3 } }),
  ).not.toThrow();
});

test("did-you-mean guesses close names only", () => {
  expect(didYouMean("teir", ["tier", "tags"])).toBe("tier");
  expect(didYouMean("email", ["emails"])).toBe("emails");
  expect(didYouMean("completely", ["tier", "tags"])).toBeUndefined();
});
