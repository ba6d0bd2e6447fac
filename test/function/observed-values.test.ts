/**
 * What the function reads back from observed state, judged on environments built from the
 * examples and observed resources written by hand: the tier-downgrade guard, the composite's
 * status and connection details, and the cross-region links. Fast: nothing is rendered.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildEnvironment, type CompositeResource, type Environment, type ObservedResource } from "../../functions/src/environment.js";
import { compositeOf, type Claim } from "../../functions/src/render.js";
import { refuseTierDowngrade } from "../../functions/src/guards.js";
import { environmentStatus, isReady, regionStatusSources } from "../../functions/src/status.js";
import { connectionDetails, globalWriterEndpoint } from "../../functions/src/connection.js";
import { drLinks } from "../../functions/src/dr-links.js";
import { LABELS } from "../../functions/src/scope.js";
import { ClaimValidationError } from "../../src/api/index.js";

type Spec = Record<string, any>;
const example = (tier: string): Claim => parse(readFileSync(new URL(`../../examples/${tier}.yaml`, import.meta.url), "utf8")) as Claim;
const envOf = (tier: string, spec: (s: Spec) => Spec = (s) => s, observed: Record<string, ObservedResource> = {}): Environment => {
  const claim = example(tier);
  return buildEnvironment(compositeOf({ ...claim, spec: spec(structuredClone(claim.spec as Spec)) }) as CompositeResource, observed);
};
const atProvider = (values: Record<string, unknown>, ready = false): ObservedResource => ({
  status: { atProvider: values, ...(ready ? { conditions: [{ type: "Ready", status: "True" }] } : {}) },
});
const labelled = (labels: Record<string, string>, kind = "VPC"): ObservedResource => ({ kind, metadata: { labels } });

/** The guard's refusal, or undefined when it lets the environment through. */
const refusal = (env: Environment): ClaimValidationError | undefined => {
  try {
    refuseTierDowngrade(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ClaimValidationError);
    return error as ClaimValidationError;
  }
};
const withoutSecondary = (s: Spec) => {
  const { secondaryRegion: _r, network, ...rest } = s;
  const { secondaryCidr: _c, ...net } = network;
  return { ...rest, network: net, tier: "backup-restore" };
};

describe("refuseTierDowngrade", () => {
  it("lets an environment with nothing observed through", () => {
    expect(refusal(envOf("warm-standby"))).toBeUndefined();
    expect(refusal(envOf("backup-restore"))).toBeUndefined();
  });

  it("refuses a single-region tier while secondary-region resources exist, naming the first by name and the count", () => {
    const env = envOf("backup-restore", (s) => s, {
      "secondary-vpc": labelled({}),
      "secondary-aurora-cluster": labelled({}),
      "primary-vpc": labelled({ [LABELS.regionRole]: "primary" }),
    });
    const error = refusal(env)!;
    expect(error.errors).toEqual([
      {
        field: "spec.tier",
        message:
          "spec.tier backup-restore is a downgrade: 2 composed resources of the secondary region exist (e.g. secondary-aurora-cluster), and composing backup-restore would delete them; set spec.allowTierDowngrade: true to do it on purpose",
      },
    ]);
  });

  it("counts a resource by its region-role label as well as by its name", () => {
    const error = refusal(envOf("backup-restore", (s) => s, { "old-vpc": labelled({ [LABELS.regionRole]: "secondary" }) }))!;
    expect(error.errors[0]!.message).toContain("1 composed resources of the secondary region exist (e.g. old-vpc)");
  });

  it("with allowTierDowngrade lets the deletion happen", () => {
    const env = envOf("backup-restore", (s) => ({ ...s, allowTierDowngrade: true }), {
      "secondary-vpc": labelled({}),
      "primary-vpc": labelled({ [LABELS.tier]: "warm-standby" }),
    });
    expect(refusal(env)).toBeUndefined();
  });

  it("lets a DR tier keep its secondary region", () => {
    expect(refusal(envOf("pilot-light", (s) => s, { "secondary-vpc": labelled({ [LABELS.tier]: "pilot-light" }) }))).toBeUndefined();
  });

  it("lets a backup-restore backup region keep its vault, key and Usages, and nothing else", () => {
    const kept = {
      "secondary-backup-vault": labelled({}),
      "secondary-database-key": labelled({}),
      "secondary-database-key-alias": labelled({}),
      "secondary-database-key-used-by-secondary-backup-vault": labelled({}, "Usage"),
    };
    const env = envOf("pilot-light", (s) => ({ ...s, tier: "backup-restore" }), kept);
    expect(env.backupOnlyRegion).toBeDefined();
    expect(refusal(env)).toBeUndefined();
    const more = envOf("pilot-light", (s) => ({ ...s, tier: "backup-restore" }), { ...kept, "secondary-vpc": labelled({}) });
    expect(refusal(more)!.errors[0]!.message).toContain("1 composed resources of the secondary region exist (e.g. secondary-vpc)");
    // Without a backup region the same resources are a secondary region's.
    const single = envOf("pilot-light", withoutSecondary, kept);
    expect(refusal(single)!.errors[0]!.message).toContain("4 composed resources of the secondary region exist");
  });

  it("refuses a lower tier than a resource was composed for, naming the first such resource", () => {
    const env = envOf("pilot-light", (s) => s, {
      "primary-vpc": labelled({ [LABELS.tier]: "warm-standby" }),
      "primary-bucket": labelled({ [LABELS.tier]: "warm-standby" }),
      "primary-table": labelled({ [LABELS.tier]: "pilot-light" }),
    });
    expect(refusal(env)!.errors).toEqual([
      {
        field: "spec.tier",
        message:
          "spec.tier pilot-light is a downgrade: primary-bucket was composed for tier warm-standby, and composing pilot-light would delete them; set spec.allowTierDowngrade: true to do it on purpose",
      },
    ]);
  });

  it("lets the same or a higher tier through, and resources without a tier label", () => {
    const observed = {
      "primary-vpc": labelled({ [LABELS.tier]: "pilot-light" }),
      "primary-table": labelled({ [LABELS.tier]: "backup-restore" }),
      "primary-bucket": labelled({}),
      "primary-other": {},
    };
    expect(refusal(envOf("pilot-light", (s) => s, observed))).toBeUndefined();
    expect(refusal(envOf("warm-standby", (s) => s, observed))).toBeUndefined();
  });
});

describe("status", () => {
  it("reads each region's values from its composed resources' atProvider, the table's name from its ARN", () => {
    const env = envOf("warm-standby", (s) => s, {
      "primary-api-stage": atProvider({ invokeUrl: "https://p.example/v1" }),
      "primary-aurora-cluster": atProvider({ endpoint: "p-writer", readerEndpoint: "p-reader" }),
      "primary-bucket": atProvider({ id: "p-bucket" }),
      "primary-table": atProvider({ arn: "arn:aws:dynamodb:us-east-1:123456789012:table/p-table" }),
      "secondary-table-replica": atProvider({ arn: "arn:aws:dynamodb:us-east-2:123456789012:table/p-table" }),
      // Empty and non-string values are not values yet; an ARN that names no table gives nothing.
      "secondary-api-stage": atProvider({ invokeUrl: "" }),
      "secondary-aurora-cluster": atProvider({ endpoint: 5432, readerEndpoint: "s-reader" }),
      "secondary-bucket": atProvider({ id: "s-bucket" }),
    });
    const status = environmentStatus(env, [], []);
    expect(status.primary).toEqual({
      region: "us-east-1",
      apiUrl: "https://p.example/v1",
      dbWriterEndpoint: "p-writer",
      dbReaderEndpoint: "p-reader",
      bucketName: "p-bucket",
      tableName: "p-table",
    });
    expect(status.secondary).toEqual({ region: "us-east-2", dbReaderEndpoint: "s-reader", bucketName: "s-bucket", tableName: "p-table" });
    const noTable = envOf("backup-restore", (s) => s, { "primary-table": atProvider({ arn: "arn:aws:dynamodb:eu-west-1:1:table/a/b" }) });
    expect(environmentStatus(noTable, [], []).primary).toEqual({ region: "eu-west-1" });
    expect(regionStatusSources("secondary").tableName!.resource).toBe("table-replica");
    expect(regionStatusSources("primary").tableName!.resource).toBe("table");
  });

  it("counts ready resources by their Ready condition and says how many are not ready", () => {
    const env = envOf("backup-restore", (s) => s, {
      a: atProvider({}, true),
      b: { status: { conditions: [{ type: "Ready", status: "False" }] } },
      c: { status: { conditions: [{ type: "Synced", status: "True" }] } },
    });
    const status = environmentStatus(env, ["a", "b", "c", "d"], [{ resource: "primary-x", reason: "waits for arn of primary-y" }]);
    expect(status.resources).toEqual({ desired: 4, ready: 1 });
    expect(status.pending).toEqual(["primary-x waits for arn of primary-y", "3 of 4 composed resources are not ready yet"]);
    expect(environmentStatus(env, ["a"], []).pending).toEqual([]);
    expect(isReady(undefined)).toBe(false);
    expect(isReady({ status: {} })).toBe(false);
    expect(isReady(atProvider({}, true))).toBe(true);
    // A managed resource reports Synced beside Ready: Ready True is what counts.
    const synced = { type: "Synced", status: "True" };
    expect(isReady({ status: { conditions: [synced, { type: "Ready", status: "True" }] } })).toBe(true);
    expect(isReady({ status: { conditions: [synced, { type: "Ready", status: "False" }] } })).toBe(false);
  });

  it("names the active region, the backups and, for two regions, how clients follow a failover", () => {
    const single = environmentStatus(envOf("backup-restore"), [], []);
    expect(single.activeRegion).toBe("eu-west-1");
    expect(single).not.toHaveProperty("secondary");
    expect(single).not.toHaveProperty("clientFailover");
    expect(single).not.toHaveProperty("globalWriterEndpoint");
    expect(single.backups?.vaultRegion).toBe("eu-west-1");

    const withDns = environmentStatus(
      envOf("warm-standby", (s) => ({ ...s, failover: { ...s.failover, activeRegion: "secondary" } })),
      [],
      [],
    );
    expect(withDns.activeRegion).toBe("us-east-2");
    expect(withDns.failoverDomain).toBe("api.payments.example.com");
    expect(withDns.failoverUrl).toBe("https://api.payments.example.com");
    expect(withDns.clientFailover).toBe(
      "https://api.payments.example.com follows the active region: a Route 53 failover alias onto each region's custom domain",
    );

    const noDns = environmentStatus(envOf("pilot-light"), [], []);
    expect(noDns.activeRegion).toBe("us-west-2");
    expect(noDns).not.toHaveProperty("failoverUrl");
    expect(noDns.clientFailover).toBe(
      "no failover hostname (spec.dns is not set): clients switch between status.primary.apiUrl and status.secondary.apiUrl themselves",
    );
  });

  it("reports the Global Database's writer endpoint once observed", () => {
    const env = envOf("pilot-light", (s) => s, { "primary-aurora-global-cluster": atProvider({ endpoint: "global-writer" }) });
    expect(environmentStatus(env, [], []).globalWriterEndpoint).toBe("global-writer");
    expect(globalWriterEndpoint(envOf("pilot-light"))).toBeUndefined();
  });
});

describe("connectionDetails", () => {
  const secretArn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:orders-AbCdEf";
  const observed = (extra: Record<string, ObservedResource> = {}): Record<string, ObservedResource> => ({
    "primary-api-stage": atProvider({ invokeUrl: "https://p.example/v1" }),
    "secondary-api-stage": atProvider({ invokeUrl: "https://s.example/v1" }),
    "primary-aurora-cluster": atProvider({ endpoint: "p-writer", readerEndpoint: "p-reader", port: 5432 }),
    "secondary-aurora-cluster": atProvider({ endpoint: "s-writer", readerEndpoint: "s-reader", port: 5433 }),
    "primary-aurora-master-secret": atProvider({ arn: secretArn, replica: [{ region: "us-east-1" }] }),
    ...extra,
  });
  const keys = {
    "primary-api-key": { "attribute.value": Buffer.from("p-key") },
    "secondary-api-key": { "attribute.value": Buffer.from("s-key") },
  };

  it("follows the primary while it is active", () => {
    expect(
      connectionDetails(
        envOf("pilot-light", (s) => s, observed()),
        keys,
      ),
    ).toEqual({
      apiUrl: "https://p.example/v1",
      apiKey: "p-key",
      dbWriterEndpoint: "p-writer",
      dbReaderEndpoint: "p-reader",
      dbPort: "5432",
      dbMasterUserSecretArn: secretArn,
    });
  });

  it("follows the secondary once it is active, with the replica of the secret and the Global Database's writer", () => {
    const env = envOf(
      "pilot-light",
      (s) => ({ ...s, failover: { activeRegion: "secondary" } }),
      observed({ "primary-aurora-global-cluster": atProvider({ endpoint: "global-writer" }) }),
    );
    expect(connectionDetails(env, keys)).toEqual({
      apiUrl: "https://s.example/v1",
      apiKey: "s-key",
      dbWriterEndpoint: "global-writer",
      dbReaderEndpoint: "s-reader",
      dbPort: "5433",
      dbMasterUserSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf",
    });
  });

  it("leaves out the secret's ARN in the secondary until Secrets Manager lists a replica there, and an empty key", () => {
    const noReplica = observed({ "primary-aurora-master-secret": atProvider({ arn: secretArn, replica: [{ region: "eu-west-1" }] }) });
    const env = envOf("pilot-light", (s) => ({ ...s, failover: { activeRegion: "secondary" } }), noReplica);
    const details = connectionDetails(env, { "secondary-api-key": { "attribute.value": Buffer.alloc(0) } });
    expect(details).not.toHaveProperty("dbMasterUserSecretArn");
    expect(details).not.toHaveProperty("apiKey");
    const notAList = observed({ "primary-aurora-master-secret": atProvider({ arn: secretArn, replica: "us-east-1" }) });
    expect(
      connectionDetails(
        envOf("pilot-light", (s) => ({ ...s, failover: { activeRegion: "secondary" } }), notAList),
        {},
      ),
    ).not.toHaveProperty("dbMasterUserSecretArn");
  });

  it("publishes nothing it has not observed", () => {
    expect(connectionDetails(envOf("pilot-light"), {})).toEqual({});
    expect(
      connectionDetails(
        envOf("pilot-light", (s) => s, { "primary-aurora-cluster": atProvider({ endpoint: "", port: false }) }),
        {},
      ),
    ).toEqual({});
  });
});

describe("drLinks", () => {
  const kinds = (env: Environment) => drLinks(env).map((l) => `${l.kind}: ${l.from} -> ${l.to}`);

  it("a warm standby with DNS and messaging: every link, both ways where both regions copy", () => {
    expect(kinds(envOf("warm-standby"))).toEqual([
      "global database: primary-aurora-cluster -> primary-aurora-global-cluster",
      "global database: secondary-aurora-cluster -> primary-aurora-global-cluster",
      "table replica: primary-table -> secondary-table-replica",
      "bucket replication: primary-bucket-replication -> secondary-bucket",
      "bucket replication: secondary-bucket-replication -> primary-bucket",
      "backup copy: primary-backup-plan -> secondary-backup-vault",
      "backup copy: secondary-backup-plan -> primary-backup-vault",
      "failover pair: primary-failover-alias -> secondary-failover-alias",
      "queue fan-out: primary-function-api -> secondary-queue",
      "queue fan-out: secondary-function-api -> primary-queue",
    ]);
  });

  it("no failover pair without DNS, no fan-out without messaging", () => {
    const links = kinds(envOf("warm-standby", (s) => ({ ...s, dns: undefined, messaging: { enabled: false } })));
    expect(links).toHaveLength(7);
    expect(links.some((l) => l.startsWith("failover pair") || l.startsWith("queue fan-out"))).toBe(false);
  });

  it("a backup-restore environment copies its backups to its backup region, or links nothing", () => {
    expect(kinds(envOf("pilot-light", (s) => ({ ...s, tier: "backup-restore" })))).toEqual([
      "backup copy: primary-backup-plan -> secondary-backup-vault",
    ]);
    expect(drLinks(envOf("backup-restore"))).toEqual([]);
  });
});
