import { run, isCelError } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { cidrIsNetworkAddress, cidrsDisjoint } from "../../src/api/cel.js";
import { EnvironmentSpec, toOpenApi, validateSpec, ClaimValidationError } from "../../src/api/index.js";
import { availabilityZones, subnetCidrs } from "../../src/regions.js";

const cel = (expr: string, self: unknown) => {
  const result = run(expr, { self } as never, { funcs: strings });
  if (isCelError(result)) throw new Error(result.message);
  return result;
};

describe("CIDR rules in CEL", () => {
  it.each([
    ["10.0.0.0/16", true],
    ["10.0.3.0/16", false],
    ["192.168.4.0/22", true],
    ["192.168.6.0/22", false],
    ["172.16.0.0/24", true],
  ])("%s is a network address: %s", (cidr, expected) => {
    expect(cel(cidrIsNetworkAddress("self"), cidr)).toBe(expected);
  });

  it.each([
    ["10.0.0.0/16", "10.1.0.0/16", true],
    ["10.0.0.0/16", "10.0.128.0/17", false],
    ["10.0.128.0/17", "10.0.0.0/16", false],
    ["10.0.0.0/17", "10.0.128.0/17", true],
    ["192.168.0.0/24", "192.168.0.0/24", false],
  ])("%s and %s are disjoint: %s", (a, b, expected) => {
    expect(cel(cidrsDisjoint("self.a", "self.b"), { a, b })).toBe(expected);
  });
});

describe("the claim API", () => {
  const minimal = { environmentSuffix: "dev1", tier: "backup-restore", primaryRegion: "eu-central-1" };

  it("fills every default", () => {
    const spec = validateSpec(minimal);
    expect(spec.network).toEqual({ cidr: "10.0.0.0/16", secondaryCidr: "10.1.0.0/16", availabilityZones: 2 });
    expect(spec.database.backupRetentionDays).toBe(7);
    expect(spec.protection).toBe(true);
    expect(spec.failover.activeRegion).toBe("primary");
  });

  it("reports every broken field at once", () => {
    try {
      validateSpec({ ...minimal, environmentSuffix: "X", api: { rateLimit: 0 } });
      throw new Error("expected a validation error");
    } catch (error) {
      expect(error).toBeInstanceOf(ClaimValidationError);
      const fields = (error as ClaimValidationError).errors.map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(["spec.environmentSuffix", "spec.api.rateLimit"]));
    }
  });

  it("rejects a tag key AWS would refuse", () => {
    expect(() => validateSpec({ ...minimal, tags: { "bad{key}": "x" } })).toThrow(/spec.tags/);
  });

  it("makes the suffix and regions immutable", () => {
    expect(() => validateSpec({ ...minimal, primaryRegion: "eu-west-1" }, minimal)).toThrow(/spec.primaryRegion is immutable/);
    expect(() => validateSpec({ ...minimal, tier: "backup-restore" }, minimal)).not.toThrow();
  });

  it("produces a structural OpenAPI schema", () => {
    const text = JSON.stringify(toOpenApi(EnvironmentSpec));
    expect(text).not.toMatch(/"const"|"anyOf"|"patternProperties"|"uniqueItems"/);
    const tags = (toOpenApi(EnvironmentSpec).properties as any).tags;
    expect(tags.additionalProperties).toEqual({ type: "string", maxLength: 256 });
    expect(tags["x-kubernetes-validations"][0].rule).toMatch(/^self.all\(k, k.matches/);
  });
});

describe("regions", () => {
  it("knows regions whose zones skip a letter", () => {
    expect(availabilityZones("ap-northeast-1", 3)).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    expect(() => availabilityZones("us-west-1", 3)).toThrow(/offers 2 zones/);
  });

  it("carves stable subnets", () => {
    expect(subnetCidrs("10.0.0.0/16", 8).slice(0, 2)).toEqual(["10.0.0.0/19", "10.0.32.0/19"]);
    expect(subnetCidrs("10.1.0.0/24", 8)[7]).toBe("10.1.0.224/27");
  });
});
