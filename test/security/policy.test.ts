import { evaluate, failures, RULES, ofKind, statements, type Manifest, type Resources } from "../../tools/policy/index.js";
import { KNOWN_VIOLATIONS, unknownFailures } from "./known.js";
import { settledClaims, type SettledClaim } from "./claims.js";

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 120_000);

describe("security controls over every shipped claim (examples and golden cases), settled", () => {
  it("covers every tier", () => {
    expect(new Set(envs.map((e) => (e.claim.spec as { tier: string }).tier))).toEqual(
      new Set(["backup-restore", "pilot-light", "warm-standby"]),
    );
  });

  it("finds no violation beyond the known ones", () => {
    const found = envs.flatMap((e) =>
      unknownFailures(failures(evaluate(e.resources, { protection: e.protection }))).map((f) => `${e.source}: ${f}`),
    );
    expect(found).toEqual([]);
  });

  it("still has every known violation (remove one from known.ts once it is fixed)", () => {
    const lines = envs.flatMap((e) => failures(evaluate(e.resources, { protection: e.protection })));
    const gone = KNOWN_VIOLATIONS.filter(
      (k) => !lines.some((l) => l.startsWith(`${k.rule}: `) && k.resource.test(l.split(": ")[1]) && l.includes(k.message)),
    );
    expect(gone).toEqual([]);
  });
});

/** The warm-standby example has every kind the rules judge; each mutation breaks one control on one resource. */
type Mutation = { rule: string; label: string; protection?: boolean; source?: string; apply: (res: Resources) => string };

const pick = (res: Resources, group: string, kind: string, match: (r: Manifest) => boolean = () => true): [string, Manifest] => {
  const found = ofKind(res, group, kind).find(([, r]) => match(r));
  if (!found) throw new Error(`no ${group} ${kind} to mutate`);
  return found;
};
const fp = (r: Manifest) => r.spec!.forProvider!;
const setPolicy = (r: Manifest, field: string, edit: (s: any[]) => void) => {
  const stmts = statements(fp(r)[field])!;
  edit(stmts);
  fp(r)[field] = JSON.stringify({ Version: "2012-10-17", Statement: stmts });
};
const byLabel = (logical: string) => (r: Manifest) => r.metadata?.labels?.["dr.platform.io/resource"] === logical;

const MUTATIONS: Mutation[] = [
  {
    rule: "s3-block-public-access",
    label: "one setting off",
    apply: (res) => {
      const [n, r] = pick(res, "s3", "BucketPublicAccessBlock");
      fp(r).restrictPublicBuckets = false;
      return n;
    },
  },
  {
    rule: "s3-block-public-access",
    label: "block removed",
    apply: (res) => {
      const [n] = pick(res, "s3", "BucketPublicAccessBlock", byLabel("bucket-public-access-block"));
      delete res[n];
      return pick(res, "s3", "Bucket", byLabel("bucket"))[0];
    },
  },
  {
    rule: "s3-tls-only",
    label: "condition inverted",
    apply: (res) => {
      const [, p] = pick(res, "s3", "BucketPolicy", byLabel("bucket-policy"));
      setPolicy(p, "policy", (s) => {
        s[0].Condition.Bool["aws:SecureTransport"] = "true";
      });
      return pick(res, "s3", "Bucket", byLabel("bucket"))[0];
    },
  },
  {
    rule: "s3-tls-only",
    label: "objects not covered",
    apply: (res) => {
      const [, p] = pick(res, "s3", "BucketPolicy", byLabel("code-bucket-policy"));
      setPolicy(p, "policy", (s) => {
        s[0].Resource = s[0].Resource.slice(0, 1);
      });
      return pick(res, "s3", "Bucket", byLabel("code-bucket"))[0];
    },
  },
  {
    rule: "s3-encryption",
    label: "configuration removed",
    apply: (res) => {
      delete res[pick(res, "s3", "BucketServerSideEncryptionConfiguration", byLabel("bucket-encryption"))[0]];
      return pick(res, "s3", "Bucket", byLabel("bucket"))[0];
    },
  },
  {
    rule: "rds-encrypted",
    label: "cluster unencrypted",
    apply: (res) => {
      const [n, r] = pick(res, "rds", "Cluster");
      fp(r).storageEncrypted = false;
      return n;
    },
  },
  {
    rule: "rds-encrypted",
    label: "global cluster made from an unencrypted cluster",
    apply: (res) => {
      const [n] = pick(res, "rds", "GlobalCluster");
      fp(res["primary-aurora-cluster"]).storageEncrypted = false;
      return n;
    },
  },
  {
    rule: "rds-deletion-protection",
    label: "cluster unprotected",
    apply: (res) => {
      const [n, r] = pick(res, "rds", "Cluster");
      fp(r).deletionProtection = false;
      return n;
    },
  },
  {
    rule: "rds-deletion-protection",
    label: "final snapshot skipped",
    apply: (res) => {
      const [n, r] = pick(res, "rds", "Cluster");
      fp(r).skipFinalSnapshot = true;
      return n;
    },
  },
  {
    rule: "rds-force-ssl",
    label: "force_ssl 0",
    apply: (res) => {
      const [, g] = pick(res, "rds", "ClusterParameterGroup");
      fp(g).parameter = [{ name: "rds.force_ssl", value: "0", applyMethod: "immediate" }];
      return pick(
        res,
        "rds",
        "Cluster",
        (c) =>
          fp(c).dbClusterParameterGroupNameSelector.matchLabels["dr.platform.io/region-role"] ===
          g.metadata!.labels!["dr.platform.io/region-role"],
      )[0];
    },
  },
  {
    rule: "no-literal-secrets",
    label: "master password",
    apply: (res) => {
      const [n, r] = pick(res, "rds", "Cluster");
      fp(r).masterPassword = "hunter22";
      return n;
    },
  },
  {
    rule: "no-literal-secrets",
    label: "password in a Lambda environment",
    apply: (res) => {
      const [n, r] = pick(res, "lambda", "Function");
      fp(r).environment.variables.DB_PASSWORD = "hunter22";
      return n;
    },
  },
  {
    rule: "no-literal-secrets",
    label: "API key value",
    apply: (res) => {
      const [n, r] = pick(res, "apigateway", "APIKey");
      fp(r).value = "0123456789abcdefghij";
      return n;
    },
  },
  {
    rule: "dynamodb-pitr",
    label: "table PITR off",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "Table");
      fp(r).pointInTimeRecovery.enabled = false;
      return n;
    },
  },
  {
    rule: "dynamodb-pitr",
    label: "replica PITR off",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "TableReplica");
      fp(r).pointInTimeRecovery = false;
      return n;
    },
  },
  {
    rule: "dynamodb-encryption",
    label: "table SSE off",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "Table");
      fp(r).serverSideEncryption = [{ enabled: false }];
      return n;
    },
  },
  {
    rule: "dynamodb-encryption",
    label: "replica without a key",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "TableReplica");
      delete fp(r).kmsKeyArn;
      return n;
    },
  },
  {
    rule: "dynamodb-deletion-protection",
    label: "table unprotected",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "Table");
      fp(r).deletionProtectionEnabled = false;
      return n;
    },
  },
  {
    rule: "stateful-orphaned",
    label: "key deleted with the environment",
    apply: (res) => {
      const [n, r] = pick(res, "kms", "Key");
      r.spec!.deletionPolicy = "Delete";
      return n;
    },
  },
  {
    rule: "stateful-orphaned",
    label: "data bucket force-destroyed",
    apply: (res) => {
      const [n, r] = pick(res, "s3", "Bucket", byLabel("bucket"));
      fp(r).forceDestroy = true;
      return n;
    },
  },
  {
    rule: "stateful-orphaned",
    label: "queue deleted with the environment",
    apply: (res) => {
      const [n, r] = pick(res, "sqs", "Queue");
      r.spec!.deletionPolicy = "Delete";
      return n;
    },
  },
  {
    rule: "stateful-orphaned",
    label: "kept bucket's public access block deleted with the environment",
    apply: (res) => {
      const [n, r] = pick(res, "s3", "BucketPublicAccessBlock", byLabel("bucket-public-access-block"));
      r.spec!.deletionPolicy = "Delete";
      return n;
    },
  },
  {
    rule: "stateful-guards-kept",
    label: "public access block of the data bucket deleted with the environment",
    apply: (res) => {
      const [n, r] = pick(res, "s3", "BucketPublicAccessBlock", (r) => r.spec?.deletionPolicy === "Orphan");
      delete r.spec!.deletionPolicy;
      return n;
    },
  },
  {
    rule: "stateful-orphaned",
    label: "key alias deleted with the environment",
    apply: (res) => {
      const [n, r] = pick(res, "kms", "Alias");
      delete r.spec!.deletionPolicy;
      return n;
    },
  },
  {
    rule: "no-account-singletons",
    label: "environment composes the API Gateway account setting",
    apply: (res) => {
      res["primary-api-gateway-account"] = {
        apiVersion: "apigateway.aws.upbound.io/v1beta1",
        kind: "Account",
        spec: { forProvider: { region: "us-east-1" } },
      };
      return "primary-api-gateway-account";
    },
  },
  {
    rule: "unprotected-destroyable",
    label: "unprotected table kept on delete",
    source: "examples/backup-restore.yaml",
    apply: (res) => {
      const [n, r] = pick(res, "dynamodb", "Table");
      r.spec!.deletionPolicy = "Orphan";
      return n;
    },
  },
  {
    rule: "unprotected-destroyable",
    label: "unprotected cluster with deletion protection",
    source: "examples/backup-restore.yaml",
    apply: (res) => {
      const [n, r] = pick(res, "rds", "Cluster");
      fp(r).deletionProtection = true;
      return n;
    },
  },
  {
    rule: "lambda-not-public",
    label: "principal *",
    apply: (res) => {
      const [n, r] = pick(res, "lambda", "Permission");
      fp(r).principal = "*";
      return n;
    },
  },
  {
    rule: "lambda-not-public",
    label: "no source ARN",
    apply: (res) => {
      const [n, r] = pick(res, "lambda", "Permission");
      delete fp(r).sourceArn;
      return n;
    },
  },
  {
    rule: "apigateway-access-logging",
    label: "stage without access logs",
    apply: (res) => {
      const [n, r] = pick(res, "apigateway", "Stage");
      delete fp(r).accessLogSettings;
      return n;
    },
  },
  {
    rule: "apigateway-throttling",
    label: "method settings without throttling",
    apply: (res) => {
      const [n, r] = pick(res, "apigateway", "MethodSettings");
      delete fp(r).settings.throttlingRateLimit;
      return n;
    },
  },
  {
    rule: "apigateway-throttling",
    label: "usage plan without throttle",
    apply: (res) => {
      const [n, r] = pick(res, "apigateway", "UsagePlan");
      delete fp(r).throttleSettings;
      return n;
    },
  },
  {
    rule: "iam-no-wildcard-actions",
    label: "s3:*",
    apply: (res) => {
      const [n, r] = pick(res, "iam", "RolePolicy", byLabel("role-api-policy"));
      setPolicy(r, "policy", (s) => {
        s.at(-1).Action = "s3:*";
      });
      return n;
    },
  },
  {
    rule: "iam-wildcard-resources",
    label: "GetItem on *",
    apply: (res) => {
      const [n, r] = pick(res, "iam", "RolePolicy", byLabel("role-api-policy"));
      setPolicy(r, "policy", (s) => {
        s.push({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" });
      });
      return n;
    },
  },
  {
    rule: "iam-managed-policies",
    label: "AdministratorAccess",
    apply: (res) => {
      const [n, r] = pick(res, "iam", "RolePolicyAttachment");
      fp(r).policyArn = "arn:aws:iam::aws:policy/AdministratorAccess";
      return n;
    },
  },
  {
    rule: "iam-trust-services",
    label: "trusts everyone",
    apply: (res) => {
      const [n, r] = pick(res, "iam", "Role");
      setPolicy(r, "assumeRolePolicy", (s) => {
        s[0].Principal = { AWS: "*" };
      });
      return n;
    },
  },
  {
    rule: "sg-no-public-ingress",
    label: "an ingress rule from 0.0.0.0/0 added to the database group",
    apply: (res) => {
      // The composition has no ingress rule of its own (nothing connects to the database), so one is added.
      const [n, group] = pick(res, "ec2", "SecurityGroup");
      const rule = `${n}-ingress-anywhere`;
      res[rule] = {
        apiVersion: "ec2.aws.upbound.io/v1beta1",
        kind: "SecurityGroupIngressRule",
        metadata: { labels: group.metadata?.labels },
        spec: { forProvider: { region: fp(group).region, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 } },
      };
      return rule;
    },
  },
  {
    rule: "sg-no-public-ingress",
    label: "inline ingress from ::/0",
    apply: (res) => {
      const [n, r] = pick(res, "ec2", "SecurityGroup");
      fp(r).ingress = [{ fromPort: 22, toPort: 22, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }];
      return n;
    },
  },
  {
    rule: "vpc-flow-logs",
    label: "flow log removed",
    apply: (res) => {
      const [n] = pick(res, "ec2", "FlowLog");
      const vpcRole = res[n].metadata!.labels!["dr.platform.io/region-role"];
      delete res[n];
      return `${vpcRole}-vpc`;
    },
  },
  {
    rule: "vpc-flow-logs",
    label: "accepted traffic only",
    apply: (res) => {
      const [n, r] = pick(res, "ec2", "FlowLog");
      fp(r).trafficType = "ACCEPT";
      return n;
    },
  },
  {
    rule: "log-retention",
    label: "retention unset",
    apply: (res) => {
      const [n, r] = pick(res, "cloudwatchlogs", "Group");
      delete fp(r).retentionInDays;
      return n;
    },
  },
  {
    rule: "log-retention",
    label: "Lambda log group missing",
    apply: (res) => {
      const [n] = pick(res, "cloudwatchlogs", "Group", byLabel("log-group-api"));
      const role = res[n].metadata!.labels!["dr.platform.io/region-role"];
      delete res[n];
      return `${role}-function-api`;
    },
  },
  {
    rule: "log-retention",
    label: "Aurora log group missing",
    apply: (res) => {
      const [n] = pick(res, "cloudwatchlogs", "Group", byLabel("aurora-log-group"));
      const role = res[n].metadata!.labels!["dr.platform.io/region-role"];
      delete res[n];
      return `${role}-aurora-cluster`;
    },
  },
  {
    rule: "kms-rotation",
    label: "rotation off",
    apply: (res) => {
      const [n, r] = pick(res, "kms", "Key");
      fp(r).enableKeyRotation = false;
      return n;
    },
  },
  {
    rule: "sns-encrypted",
    label: "topic unencrypted",
    apply: (res) => {
      const [n, r] = pick(res, "sns", "Topic");
      delete fp(r).kmsMasterKeyId;
      return n;
    },
  },
  {
    rule: "sqs-encrypted",
    label: "queue unencrypted",
    apply: (res) => {
      const [n, r] = pick(res, "sqs", "Queue");
      for (const k of ["kmsMasterKeyId", "kmsMasterKeyIdSelector", "sqsManagedSseEnabled"]) delete fp(r)[k];
      return n;
    },
  },
  // What IAM's grammar refuses, each on one document of the warm-standby example.
  ...(
    [
      ["a Sid repeated", "iam", "RolePolicy", "role-api-policy", "policy", (st) => (st[1].Sid = st[0].Sid)],
      ["an empty Sid", "iam", "RolePolicy", "role-api-policy", "policy", (st) => (st[0].Sid = "")],
      ["an action without its service", "iam", "RolePolicy", "role-api-policy", "policy", (st) => (st[0].Action = "GetItem")],
      ["no action", "iam", "RolePolicy", "role-dr-check-policy", "policy", (st) => (st[0].Action = [])],
      ["a Principal in a role's permissions", "iam", "RolePolicy", "role-api-policy", "policy", (st) => (st[0].Principal = "*")],
      ["a Resource in a trust policy", "iam", "Role", "role-api", "assumeRolePolicy", (st) => (st[0].Resource = "*")],
      ["a bucket policy without a Principal", "s3", "BucketPolicy", "bucket-policy", "policy", (st) => delete st[0].Principal],
      ["a resource that is not an ARN", "iam", "RolePolicy", "replication-role-policy", "policy", (st) => (st[0].Resource = "data")],
      [
        "an ARN of no partition",
        "iam",
        "RolePolicy",
        "role-dr-check-policy",
        "policy",
        (st) => (st[0].Resource = "arn:undefined:dynamodb:eu-west-1:123456789012:table/t"),
      ],
      [
        "an empty condition value",
        "iam",
        "RolePolicy",
        "replication-role-policy",
        "policy",
        (st) => {
          for (const x of st.filter((x) => x.Condition)) x.Condition.StringEquals["kms:ViaService"] = "";
        },
      ],
      [
        "an empty Condition",
        "iam",
        "RolePolicy",
        "replication-role-policy",
        "policy",
        (st) => {
          for (const x of st.filter((x) => x.Condition)) x.Condition = {};
        },
      ],
      [
        "an unknown condition operator",
        "s3",
        "BucketPolicy",
        "bucket-policy",
        "policy",
        (st) => {
          st[0].Condition = { Boolean: st[0].Condition.Bool };
        },
      ],
      [
        "a role's inline policies over 10,240 characters",
        "iam",
        "RolePolicy",
        "role-api-policy",
        "policy",
        (st) => {
          const resource = `arn:aws:dynamodb:eu-west-1:123456789012:table/${"t".repeat(200)}`;
          for (let i = 0; i < 50; i++) st.push({ Sid: `Read${i}`, Effect: "Allow", Action: "dynamodb:GetItem", Resource: resource });
        },
      ],
    ] satisfies Array<[string, string, string, string, string, (st: any[]) => unknown]>
  ).map(([label, group, kind, logical, field, edit]): Mutation => ({
    rule: "iam-policy-grammar",
    label,
    apply: (res) => {
      const [n, r] = pick(res, group, kind, byLabel(logical));
      setPolicy(r, field, edit);
      return n;
    },
  })),
  {
    rule: "iam-policy-grammar",
    label: "an older policy language version",
    apply: (res) => {
      const [n, r] = pick(res, "iam", "RolePolicy", byLabel("role-api-policy"));
      fp(r).policy = JSON.stringify({ Version: "2008-10-17", Statement: statements(fp(r).policy) });
      return n;
    },
  },
];

describe("each control catches a violation", () => {
  const warmStandby = () => envs.find((e) => e.source === "examples/warm-standby.yaml")!;

  it("has at least one mutation for every rule", () => {
    expect([...new Set(MUTATIONS.map((m) => m.rule))].sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(MUTATIONS.map((m) => [m.rule, m.label, m] as const))("%s: %s", (ruleId, _label, mutation) => {
    const rule = RULES.find((r) => r.id === ruleId)!;
    const env = mutation.source ? envs.find((e) => e.source === mutation.source)! : warmStandby();
    const resources = structuredClone(env.resources);
    const context = { protection: mutation.protection ?? env.protection };
    expect(rule.check(resources, context)).toEqual([]);
    const target = mutation.apply(resources);
    const violations = rule.check(resources, context);
    expect(violations.map((v) => v.resource)).toContain(target);
  });

  it("judges protection only when the claim asks for it", () => {
    const unprotected = envs.find((e) => !e.protection)!;
    expect(unprotected).toBeDefined();
    for (const id of ["rds-deletion-protection", "dynamodb-deletion-protection", "stateful-orphaned", "stateful-guards-kept"]) {
      const rule = RULES.find((r) => r.id === id)!;
      expect({ id, violations: rule.check(unprotected.resources, { protection: false }) }).toEqual({ id, violations: [] });
      // The same unprotected environment judged as if protection had been asked for fails.
      expect({ id, failing: rule.check(unprotected.resources, { protection: true }).length > 0 }).toEqual({ id, failing: true });
    }
  });
});
