/**
 * Security controls as code: one row per control, each a check over the complete set of composed
 * resources that returns what breaks it. `control` names the AWS Foundational Security Best
 * Practices control a rule enforces where one exists; `note` says why where the mapping is loose.
 */
import {
  externalName,
  forProvider,
  identityPolicies,
  list,
  ofKind,
  orphaned,
  deletionOf,
  refersTo,
  statements,
  strings,
  type Manifest,
  type Resources,
  type Statement,
} from "./resources.js";
import { documentProblems, policyDocuments, quotaProblems } from "./iam-grammar.js";

export interface Violation {
  /** Composed resource name. */
  resource: string;
  message: string;
}

export interface PolicyContext {
  /** The claim's `spec.protection`. */
  protection: boolean;
}

export interface Rule {
  id: string;
  /** AWS Foundational Security Best Practices control(s), or undefined where none exists. */
  control?: string;
  description: string;
  note?: string;
  check(resources: Resources, context: PolicyContext): Violation[];
}

/**
 * Actions AWS authorizes only on `Resource: "*"` (the Service Authorization Reference lists no
 * resource type for them); a statement on `*` must consist of these alone.
 */
export const WILDCARD_RESOURCE_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "cloudwatch:PutMetricData",
  "ec2:DescribeNetworkInterfaces",
  "sts:GetCallerIdentity",
] as const;

/** AWS managed policies a role may have attached, each scoped by AWS to one service's needs. */
export const ALLOWED_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
  // AWS Backup's S3 policies: what the backup service needs to read every object version of a bucket it backs up and restore it.
  "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
  "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
  "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
] as const;

/** Security-group ingress from anywhere that is intended, as `<composed resource>` names; none today (the API is API Gateway's). */
export const PUBLIC_INGRESS_ALLOWED: readonly string[] = [];

/**
 * Buckets that hold nothing the composition cannot write again (the Lambda code), by their
 * `dr.platform.io/resource` label: always destroyable, so exempt from the protection rule.
 */
export const REBUILDABLE = ["code-bucket"] as const;

const LOGICAL_LABEL = "dr.platform.io/resource";

/** Stateful kinds: what an environment's deletion must not take with it while protected. */
export const STATEFUL_KINDS: ReadonlyArray<{ group: string; kind: string }> = [
  { group: "rds", kind: "Cluster" },
  { group: "rds", kind: "GlobalCluster" },
  { group: "dynamodb", kind: "Table" },
  { group: "dynamodb", kind: "TableReplica" },
  { group: "s3", kind: "Bucket" },
  { group: "kms", kind: "Key" },
  { group: "kms", kind: "ReplicaKey" },
  { group: "backup", kind: "Vault" },
  { group: "sqs", kind: "Queue" },
];

/**
 * What guards kept data: deleting one of these while the data stays would strip a control off it
 * (public access, TLS, encryption, versioning, ownership, replication, lifecycle, the key a store
 * is encrypted with by alias, the cluster's force_ssl parameters, the dead-letter redrive).
 */
export const GUARD_KINDS: ReadonlyArray<{ group: string; kind: string }> = [
  { group: "s3", kind: "BucketPublicAccessBlock" },
  { group: "s3", kind: "BucketPolicy" },
  { group: "s3", kind: "BucketServerSideEncryptionConfiguration" },
  { group: "s3", kind: "BucketVersioning" },
  { group: "s3", kind: "BucketOwnershipControls" },
  { group: "s3", kind: "BucketReplicationConfiguration" },
  { group: "s3", kind: "BucketLifecycleConfiguration" },
  { group: "kms", kind: "Alias" },
  { group: "rds", kind: "ClusterParameterGroup" },
  { group: "rds", kind: "SubnetGroup" },
  { group: "sqs", kind: "QueueRedrivePolicy" },
  // The kept cluster's master password: without it nobody can log in to the data that stays.
  { group: "secretsmanager", kind: "Secret" },
  { group: "secretsmanager", kind: "SecretVersion" },
];

/** The bucket settings among them: kept with the bucket, or its deletion strips them. */
export const BUCKET_GUARD_KINDS = GUARD_KINDS.filter(({ group }) => group === "s3").map(({ kind }) => kind);

/**
 * Settings AWS keeps once per account (and region): an environment that composed one would
 * overwrite every other environment's on each reconcile. The platform installs them once
 * (charts/install.ts); environments compose none.
 */
export const ACCOUNT_SINGLETON_KINDS: ReadonlyArray<{ group: string; kind: string }> = [
  { group: "apigateway", kind: "Account" },
  { group: "backup", kind: "RegionSettings" },
  { group: "backup", kind: "GlobalSettings" },
  { group: "ec2", kind: "EBSEncryptionByDefault" },
  { group: "ec2", kind: "EBSDefaultKMSKey" },
  { group: "s3control", kind: "AccountPublicAccessBlock" },
  { group: "iam", kind: "AccountPasswordPolicy" },
  { group: "iam", kind: "AccountAlias" },
  { group: "cloudwatchlogs", kind: "AccountPolicy" },
  { group: "guardduty", kind: "Detector" },
  { group: "securityhub", kind: "Account" },
];

/** Whether the composition only observes a resource that exists outside it (management policies [Observe]). */
export const observeOnly = (r: Manifest): boolean => {
  const policies = r.spec?.managementPolicies as string[] | undefined;
  return policies?.length === 1 && policies[0] === "Observe";
};

/** Whether a resource belongs to a rebuildable bucket: the bucket itself or one of its `<bucket>-<control>`s. */
const rebuildable = (r: Manifest) => {
  const logical = r.metadata?.labels?.[LOGICAL_LABEL] ?? "";
  return REBUILDABLE.some((b) => logical === b || logical.startsWith(`${b}-`));
};

/** The data stores and keys, and everything that guards them, that protection keeps. */
export function statefulResources(resources: Resources): Array<[string, Manifest]> {
  return [...STATEFUL_KINDS, ...GUARD_KINDS]
    .flatMap(({ group, kind }) => ofKind(resources, group, kind))
    .filter(([, r]) => !rebuildable(r));
}

/** A violation for every `subject` of a kind that no `companion` of another kind refers to with `ok` true. */
function eachNeeds(
  resources: Resources,
  subject: [string, string],
  companion: [string, string],
  field: string,
  ok: (companion: Manifest) => string | undefined,
  missing: string,
): Violation[] {
  const companions = ofKind(resources, ...companion);
  return ofKind(resources, ...subject).flatMap(([name, r]) => {
    const mine = companions.filter(([, c]) => refersTo(c, field, r));
    if (mine.length === 0) return [{ resource: name, message: missing }];
    return mine.flatMap(([cName, c]) => {
      const problem = ok(c);
      return problem ? [{ resource: cName, message: problem }] : [];
    });
  });
}

const isStar = (p: unknown) =>
  p === "*" || (typeof p === "object" && p !== null && list((p as { AWS?: string | string[] }).AWS).includes("*"));

function deniesInsecureTransport(s: Statement, bucketArn: string): boolean {
  const resources = list(s.Resource);
  return (
    s.Effect === "Deny" &&
    isStar(s.Principal) &&
    list(s.Action).some((a) => a === "s3:*" || a === "*") &&
    String((s.Condition?.Bool as Record<string, unknown> | undefined)?.["aws:SecureTransport"]) === "false" &&
    resources.includes(bucketArn) &&
    resources.includes(`${bucketArn}/*`)
  );
}

const PASSWORD_KEY = /pass(word|wd|phrase)|secret(?!.*(arn|kms|key.?id|name|ref|selector|namespace))|credential|token|api.?key.?value/i;

function sslParameterGroup(resources: Resources, cluster: Manifest): string | undefined {
  const groups = ofKind(resources, "rds", "ClusterParameterGroup").filter(([, g]) => refersTo(cluster, "dbClusterParameterGroupName", g));
  if (groups.length === 0) return "has no cluster parameter group of this environment, so rds.force_ssl is off";
  const forced = groups.some(([, g]) =>
    list(forProvider(g).parameter).some((p: any) => p?.name === "rds.force_ssl" && String(p?.value) === "1"),
  );
  return forced ? undefined : "its cluster parameter group does not set rds.force_ssl to 1";
}

export const RULES: readonly Rule[] = [
  {
    id: "s3-block-public-access",
    control: "S3.1, S3.8",
    description: "Every bucket blocks public ACLs and policies with all four public access block settings.",
    note: "S3.1 is the account-level setting; the composition sets the bucket-level one (S3.8) on every bucket.",
    check: (res) =>
      eachNeeds(
        res,
        ["s3", "Bucket"],
        ["s3", "BucketPublicAccessBlock"],
        "bucket",
        (c) => {
          const fp = forProvider(c);
          const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => fp[k] !== true);
          return off.length ? `public access block leaves ${off.join(", ")} off` : undefined;
        },
        "has no public access block",
      ),
  },
  {
    id: "s3-tls-only",
    control: "S3.5",
    description: "Every bucket's policy denies any request not sent over TLS, on the bucket and its objects.",
    check: (res) =>
      ofKind(res, "s3", "Bucket").flatMap(([name, bucket]) => {
        const arn = `arn:aws:s3:::${externalName(bucket) ?? ""}`;
        const policies = ofKind(res, "s3", "BucketPolicy").filter(([, p]) => refersTo(p, "bucket", bucket));
        const ok = policies.some(([, p]) => (statements(forProvider(p).policy) ?? []).some((s) => deniesInsecureTransport(s, arn)));
        return ok ? [] : [{ resource: name, message: "no bucket policy denies aws:SecureTransport false on the bucket and its objects" }];
      }),
  },
  {
    id: "s3-encryption",
    description: "Every bucket has default server-side encryption (SSE-KMS or SSE-S3) configured explicitly.",
    note: "FSBP retired S3.4 when S3 began encrypting by default; the composition still states it.",
    check: (res) =>
      eachNeeds(
        res,
        ["s3", "Bucket"],
        ["s3", "BucketServerSideEncryptionConfiguration"],
        "bucket",
        (c) => {
          const algorithms = list(forProvider(c).rule).flatMap((r: any) =>
            list(r?.applyServerSideEncryptionByDefault).map((d: any) => d?.sseAlgorithm),
          );
          return algorithms.length > 0 && algorithms.every((a) => ["aws:kms", "aws:kms:dsse", "AES256"].includes(a))
            ? undefined
            : "sets no default encryption algorithm";
        },
        "has no server-side encryption configuration",
      ),
  },
  {
    id: "rds-encrypted",
    control: "RDS.27",
    description: "Every Aurora cluster (and the global cluster) is encrypted at rest.",
    note: "A global cluster made from a cluster takes that cluster's encryption (AWS refuses storageEncrypted beside a source).",
    check: (res) => {
      const clusters = ofKind(res, "rds", "Cluster");
      const encrypted = (r: Manifest) => forProvider(r).storageEncrypted === true;
      return [
        ...clusters.flatMap(([name, r]) => (encrypted(r) ? [] : [{ resource: name, message: "storageEncrypted is not true" }])),
        ...ofKind(res, "rds", "GlobalCluster").flatMap(([name, r]) => {
          const sources = clusters.filter(([, c]) => refersTo(r, "sourceDbClusterIdentifier", c));
          if (sources.length > 0 ? sources.every(([, c]) => encrypted(c)) : encrypted(r)) return [];
          return [{ resource: name, message: sources.length > 0 ? "its source cluster is not encrypted" : "storageEncrypted is not true" }];
        }),
      ];
    },
  },
  {
    id: "rds-deletion-protection",
    control: "RDS.7",
    description: "With spec.protection, every Aurora cluster and the global cluster have deletion protection and keep a final snapshot.",
    check: (res, ctx) =>
      !ctx.protection
        ? []
        : [...ofKind(res, "rds", "Cluster"), ...ofKind(res, "rds", "GlobalCluster")].flatMap(([name, r]) => {
            const fp = forProvider(r);
            const problems = [
              fp.deletionProtection !== true && "deletionProtection is not true",
              r.kind === "Cluster" && fp.skipFinalSnapshot === true && "skipFinalSnapshot is true",
            ].filter(Boolean) as string[];
            return problems.map((message) => ({ resource: name, message }));
          }),
  },
  {
    id: "rds-force-ssl",
    description: "Every Aurora cluster uses a parameter group that sets rds.force_ssl = 1.",
    check: (res) =>
      ofKind(res, "rds", "Cluster").flatMap(([name, r]) => {
        const problem = sslParameterGroup(res, r);
        return problem ? [{ resource: name, message: problem }] : [];
      }),
  },
  {
    id: "no-literal-secrets",
    description: "No password, secret or token appears as a literal value anywhere in a composed resource.",
    note: "References to secrets (…SecretRef, …Selector, KMS key ids, ARNs) are allowed; values are not.",
    check: (res) =>
      Object.entries(res).flatMap(([name, r]) => [
        ...[...strings(r.spec ?? {}, "spec")]
          .filter((s) => PASSWORD_KEY.test(s.key) && String(s.value) !== "")
          .map((s) => ({ resource: name, message: `${s.path} holds a literal value` })),
        // An API key's `value` field is the key itself: AWS must generate it.
        ...(r.kind === "APIKey" && forProvider(r).value
          ? [{ resource: name, message: "spec.forProvider.value holds a literal API key" }]
          : []),
      ]),
  },
  {
    id: "dynamodb-pitr",
    control: "DynamoDB.2",
    description: "Every DynamoDB table and replica has point-in-time recovery on.",
    check: (res) => [
      ...ofKind(res, "dynamodb", "Table").flatMap(([name, r]) => {
        const fp = forProvider(r);
        const table = list(fp.pointInTimeRecovery).some((p: any) => p?.enabled === true)
          ? []
          : [{ resource: name, message: "pointInTimeRecovery is not enabled" }];
        const replicas = list(fp.replica)
          .filter((p: any) => p?.pointInTimeRecovery !== true)
          .map((p: any) => ({ resource: name, message: `replica in ${p?.regionName} has no point-in-time recovery` }));
        return [...table, ...replicas];
      }),
      ...ofKind(res, "dynamodb", "TableReplica").flatMap(([name, r]) =>
        forProvider(r).pointInTimeRecovery === true ? [] : [{ resource: name, message: "pointInTimeRecovery is not true" }],
      ),
    ],
  },
  {
    id: "dynamodb-encryption",
    description: "Every DynamoDB table and replica is encrypted with a customer managed KMS key.",
    check: (res) => [
      ...ofKind(res, "dynamodb", "Table").flatMap(([name, r]) => {
        const fp = forProvider(r);
        const sse = list(fp.serverSideEncryption).some((s: any) => s?.enabled === true && s?.kmsKeyArn);
        const table = sse ? [] : [{ resource: name, message: "serverSideEncryption is not enabled with a KMS key" }];
        const replicas = list(fp.replica)
          .filter((p: any) => !p?.kmsKeyArn)
          .map((p: any) => ({ resource: name, message: `replica in ${p?.regionName} names no KMS key` }));
        return [...table, ...replicas];
      }),
      ...ofKind(res, "dynamodb", "TableReplica").flatMap(([name, r]) =>
        forProvider(r).kmsKeyArn ? [] : [{ resource: name, message: "kmsKeyArn is not set" }],
      ),
    ],
  },
  {
    id: "dynamodb-deletion-protection",
    control: "DynamoDB.6",
    description: "With spec.protection, every DynamoDB table and replica has deletion protection.",
    check: (res, ctx) =>
      !ctx.protection
        ? []
        : [...ofKind(res, "dynamodb", "Table"), ...ofKind(res, "dynamodb", "TableReplica")].flatMap(([name, r]) =>
            forProvider(r).deletionProtectionEnabled === true ? [] : [{ resource: name, message: "deletionProtectionEnabled is not true" }],
          ),
  },
  {
    id: "stateful-orphaned",
    description:
      "With spec.protection, every stateful resource (Aurora and global clusters, tables, replicas, buckets, queues, KMS keys, backup vaults) and everything that guards one (bucket controls, replication and lifecycle, key aliases, parameter and subnet groups, redrive policies) is Orphan and not force-destroyed.",
    note: `Exempt: ${REBUILDABLE.join(", ")} (holds only what the composition writes again).`,
    check: (res, ctx) =>
      !ctx.protection
        ? []
        : statefulResources(res).flatMap(([name, r]) => {
            const problems = [!orphaned(r) && deletionOf(r), forProvider(r).forceDestroy === true && "forceDestroy is true"].filter(
              Boolean,
            ) as string[];
            return problems.map((message) => ({ resource: name, message }));
          }),
  },
  {
    id: "stateful-guards-kept",
    description:
      "With spec.protection, every guard of a kept bucket (public access block, policy, encryption, versioning, ownership) is Orphan too.",
    note: "Deleting a guard's managed resource removes the setting from the bucket AWS keeps.",
    check: (res, ctx) =>
      !ctx.protection
        ? []
        : statefulResources(res)
            .filter(([, r]) => r.kind === "Bucket")
            .flatMap(([, bucket]) =>
              BUCKET_GUARD_KINDS.flatMap((kind) => ofKind(res, "s3", kind)).filter(([, guard]) => refersTo(guard, "bucket", bucket)),
            )
            .flatMap(([name, guard]) =>
              orphaned(guard) ? [] : [{ resource: name, message: `guards a kept bucket but its ${deletionOf(guard)}` }],
            ),
  },
  {
    id: "no-account-singletons",
    description:
      "No environment composes an account- or region-wide setting (API Gateway account, AWS Backup settings, EBS defaults, ...): the platform installs each once.",
    check: (res) =>
      ACCOUNT_SINGLETON_KINDS.flatMap(({ group, kind }) => ofKind(res, group, kind)).map(([name, r]) => ({
        resource: name,
        message: `${r.kind} is one per account and region; the platform installs it (charts/install.ts)`,
      })),
  },
  {
    id: "unprotected-destroyable",
    description:
      "Without spec.protection, everything is destroyable: no resource is Orphan, no cluster or table has deletion protection, no cluster takes a final snapshot.",
    check: (res, ctx) =>
      ctx.protection
        ? []
        : Object.entries(res)
            // An observe-only resource (the team's own zone) is never the environment's to delete.
            .filter(([, r]) => !observeOnly(r))
            .flatMap(([name, r]) => {
              const fp = forProvider(r);
              const problems = [
                orphaned(r) && (r.spec?.deletionPolicy === "Orphan" ? "deletionPolicy is Orphan" : deletionOf(r)),
                fp.deletionProtection === true && "deletionProtection is true",
                fp.deletionProtectionEnabled === true && "deletionProtectionEnabled is true",
                fp.skipFinalSnapshot === false && "skipFinalSnapshot is false",
                fp.forceDestroy === false && "forceDestroy is false",
              ].filter(Boolean) as string[];
              return problems.map((message) => ({ resource: name, message }));
            }),
  },
  {
    id: "lambda-not-public",
    control: "Lambda.1",
    description: "Every Lambda permission names an AWS service principal and the exact source ARN; no function URL without auth.",
    check: (res) => [
      ...ofKind(res, "lambda", "Permission").flatMap(([name, r]) => {
        const fp = forProvider(r);
        return [
          !/^[a-z0-9.-]+\.amazonaws\.com$/.test(String(fp.principal ?? "")) &&
            `principal ${fp.principal ?? "(none)"} is not an AWS service`,
          !(typeof fp.sourceArn === "string" && fp.sourceArn.startsWith("arn:")) && "sourceArn is not set",
        ]
          .filter(Boolean)
          .map((message) => ({ resource: name, message: message as string }));
      }),
      ...ofKind(res, "lambda", "FunctionURL").flatMap(([name, r]) =>
        forProvider(r).authorizationType === "AWS_IAM" ? [] : [{ resource: name, message: "function URL without AWS_IAM auth" }],
      ),
    ],
  },
  {
    id: "apigateway-access-logging",
    description: "Every REST API stage writes access logs, with a format, to a log group.",
    note: "APIGateway.1 asks for execution logging, which the API block leaves off by design (access logs carry the request record); REST access logging has no FSBP control of its own.",
    check: (res) =>
      ofKind(res, "apigateway", "Stage").flatMap(([name, r]) => {
        const ok = list(forProvider(r).accessLogSettings).some(
          (s: any) => typeof s?.destinationArn === "string" && s.destinationArn.startsWith("arn:") && s?.format,
        );
        return ok ? [] : [{ resource: name, message: "has no access log settings" }];
      }),
  },
  {
    id: "apigateway-throttling",
    description: "Every REST API has stage-wide throttling (method settings `*/*`) and every usage plan throttles.",
    check: (res) => [
      ...eachNeeds(
        res,
        ["apigateway", "RestAPI"],
        ["apigateway", "MethodSettings"],
        "restApiId",
        (c) => {
          const fp = forProvider(c);
          const throttled = list(fp.settings).some((s: any) => s?.throttlingRateLimit > 0 && s?.throttlingBurstLimit > 0);
          return fp.methodPath === "*/*" && throttled ? undefined : "does not throttle every method of the stage";
        },
        "has no method settings that throttle it",
      ),
      ...ofKind(res, "apigateway", "UsagePlan").flatMap(([name, r]) =>
        list(forProvider(r).throttleSettings).some((t: any) => t?.rateLimit > 0 && t?.burstLimit > 0)
          ? []
          : [{ resource: name, message: "usage plan has no throttle" }],
      ),
    ],
  },
  {
    id: "iam-no-wildcard-actions",
    control: "IAM.21",
    description: "No identity policy allows a wildcard action (`*`, `service:*` or any pattern) or uses NotAction.",
    note: "IAM.21 covers customer managed policies; the rule holds inline role policies to it too.",
    check: (res) =>
      identityPolicies(res).flatMap(({ resource, document }) => {
        const stmts = statements(document);
        if (!stmts) return [{ resource, message: "policy is not a JSON document" }];
        return stmts
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => [
            ...list(s.Action)
              .filter((a) => a.includes("*"))
              .map((a) => ({ resource, message: `statement ${s.Sid ?? "(no Sid)"} allows ${a}` })),
            ...(s.NotAction ? [{ resource, message: `statement ${s.Sid ?? "(no Sid)"} allows by NotAction` }] : []),
          ]);
      }),
  },
  {
    id: "iam-wildcard-resources",
    description: `An identity policy allows Resource "*" only for actions AWS authorizes only on "*" (${WILDCARD_RESOURCE_ACTIONS.join(", ")}).`,
    check: (res) =>
      identityPolicies(res).flatMap(({ resource, document }) =>
        (statements(document) ?? [])
          .filter((s) => s.Effect === "Allow" && (list(s.Resource).includes("*") || s.NotResource))
          .flatMap((s) =>
            list(s.Action)
              .filter((a) => !(WILDCARD_RESOURCE_ACTIONS as readonly string[]).includes(a))
              .map((a) => ({ resource, message: `statement ${s.Sid ?? "(no Sid)"} allows ${a} on every resource` })),
          ),
      ),
  },
  {
    id: "iam-policy-grammar",
    description:
      "Every policy document (role permissions and trust, bucket and key policies) is one AWS accepts: version 2012-10-17, statements with an Effect, service:Action names, unique alphanumeric Sids, a Principal only where the kind takes one, ARNs, known condition operators with service keys and values, and within its size quota.",
    note: "AWS refuses such a document (MalformedPolicyDocument, LimitExceeded) when the provider applies it, so the resource never becomes ready.",
    check: (res) => {
      const documents = policyDocuments(res);
      return [
        ...documents.flatMap(({ resource, field, kind, document }) =>
          documentProblems(document, kind).map((problem) => ({ resource, message: `${field} ${problem}` })),
        ),
        ...quotaProblems(documents),
      ];
    },
  },
  {
    id: "iam-managed-policies",
    description: "Roles get only the listed AWS managed policies, each scoped by AWS to one service.",
    check: (res) =>
      ofKind(res, "iam", "RolePolicyAttachment").flatMap(([name, r]) => {
        const arn = forProvider(r).policyArn;
        return (ALLOWED_MANAGED_POLICIES as readonly string[]).includes(arn)
          ? []
          : [{ resource: name, message: `attaches ${arn ?? "a policy by reference"}, not on the allow-list` }];
      }),
  },
  {
    id: "iam-trust-services",
    description: "Every role can be assumed only by an AWS service.",
    check: (res) =>
      ofKind(res, "iam", "Role").flatMap(([name, r]) => {
        const stmts = statements(forProvider(r).assumeRolePolicy);
        if (!stmts) return [{ resource: name, message: "assumeRolePolicy is not a JSON document" }];
        return stmts
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => {
            const principal = s.Principal;
            const services = typeof principal === "object" && Object.keys(principal).length === 1 ? list(principal.Service) : [];
            return services.length > 0 && services.every((p) => /^[a-z0-9.-]+\.amazonaws\.com$/.test(p))
              ? []
              : [{ resource: name, message: `trusts ${JSON.stringify(principal)}` }];
          });
      }),
  },
  {
    id: "sg-no-public-ingress",
    control: "EC2.18",
    description: "No security group admits traffic from 0.0.0.0/0 or ::/0, except listed public endpoints (none).",
    check: (res) =>
      Object.entries(res)
        .filter(([name, r]) => r.apiVersion?.startsWith("ec2.") && !PUBLIC_INGRESS_ALLOWED.includes(name))
        .flatMap(([name, r]) => {
          const fp = forProvider(r);
          const open = (cidrs: unknown[]) => cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
          const bad =
            (r.kind === "SecurityGroupIngressRule" && open([fp.cidrIpv4, fp.cidrIpv6])) ||
            (r.kind === "SecurityGroupRule" && fp.type === "ingress" && open([...list(fp.cidrBlocks), ...list(fp.ipv6CidrBlocks)])) ||
            (r.kind === "SecurityGroup" && list(fp.ingress).some((i: any) => open([...list(i?.cidrBlocks), ...list(i?.ipv6CidrBlocks)])));
          return bad ? [{ resource: name, message: "admits ingress from anywhere" }] : [];
        }),
  },
  {
    id: "vpc-flow-logs",
    control: "EC2.6",
    description: "Every VPC has flow logs of all (or at least rejected) traffic.",
    check: (res) =>
      eachNeeds(
        res,
        ["ec2", "VPC"],
        ["ec2", "FlowLog"],
        "vpcId",
        (c) => (["ALL", "REJECT"].includes(forProvider(c).trafficType) ? undefined : `logs ${forProvider(c).trafficType ?? "no"} traffic`),
        "has no flow log",
      ),
  },
  {
    id: "log-retention",
    description:
      "Every log group has a retention period, and every Lambda function and Aurora log export has its log group composed (else AWS creates one that never expires).",
    check: (res) => {
      const groups = ofKind(res, "cloudwatchlogs", "Group");
      const names = new Set(groups.map(([, g]) => externalName(g) ?? forProvider(g).name));
      return [
        ...groups.flatMap(([name, g]) =>
          forProvider(g).retentionInDays > 0 ? [] : [{ resource: name, message: "retentionInDays is not set" }],
        ),
        ...ofKind(res, "lambda", "Function").flatMap(([name, f]) =>
          names.has(`/aws/lambda/${externalName(f)}`)
            ? []
            : [{ resource: name, message: `no log group /aws/lambda/${externalName(f)} is composed` }],
        ),
        ...ofKind(res, "rds", "Cluster").flatMap(([name, c]) =>
          list(forProvider(c).enabledCloudwatchLogsExports)
            .filter((log) => !names.has(`/aws/rds/cluster/${externalName(c)}/${log}`))
            .map((log) => ({
              resource: name,
              message: `exports ${log} logs but no log group /aws/rds/cluster/${externalName(c)}/${log} is composed`,
            })),
        ),
      ];
    },
  },
  {
    id: "kms-rotation",
    control: "KMS.4",
    description: "Every KMS key has automatic rotation on.",
    check: (res) =>
      ofKind(res, "kms", "Key").flatMap(([name, r]) =>
        forProvider(r).enableKeyRotation === true ? [] : [{ resource: name, message: "enableKeyRotation is not true" }],
      ),
  },
  {
    id: "sns-encrypted",
    control: "SNS.1",
    description: "Every SNS topic is encrypted with a KMS key.",
    check: (res) =>
      ofKind(res, "sns", "Topic").flatMap(([name, r]) =>
        forProvider(r).kmsMasterKeyId || forProvider(r).kmsMasterKeyIdSelector
          ? []
          : [{ resource: name, message: "kmsMasterKeyId is not set" }],
      ),
  },
  {
    id: "sqs-encrypted",
    control: "SQS.1",
    description: "Every SQS queue is encrypted at rest.",
    check: (res) =>
      ofKind(res, "sqs", "Queue").flatMap(([name, r]) => {
        const fp = forProvider(r);
        return fp.kmsMasterKeyId || fp.kmsMasterKeyIdSelector || fp.sqsManagedSseEnabled === true
          ? []
          : [{ resource: name, message: "is not encrypted" }];
      }),
  },
];
