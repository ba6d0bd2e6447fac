/**
 * Compute: the region's Lambda handlers, one row of HANDLER_SPECS each. Every handler gets its
 * code as an S3 object, a role whose inline policy names the exact ARNs it touches, a log group
 * with retention, and the function itself (nodejs22.x on arm64, X-Ray tracing).
 *
 * No handler is attached to the VPC: each calls only regional AWS APIs, authorized by IAM (DynamoDB,
 * S3, SQS, RDS, SNS), and the API sends to the other region's queue, which no VPC endpoint reaches
 * and which a NAT gateway would reach only over an internet path, paid per hour and per byte.
 */
import { S3Object } from "@crossplane-models/provider-upjet-aws/s3.aws.upbound.io/v1beta2/Object";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicy } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicy";
import { Group as LogGroup } from "@crossplane-models/provider-upjet-aws/cloudwatchlogs.aws.upbound.io/v1beta1/Group";
import { Function as LambdaFunction } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta2/Function";
import type { ManagedResource } from "../block.js";
import { LAMBDA_CODE, LAMBDA_HANDLER, LAMBDA_RUNTIME } from "../lambda-code.js";
import type { RegionScope } from "../scope.js";
import { assumeRolePolicy, policyDocument, writeLogsStatement, type Statement } from "./iam.js";
import { LOGICAL, resourceNames, tableLogical, type Handler } from "./names.js";
import type { RegionRole } from "../environment.js";
import { privateBucket } from "./private-bucket.js";
import { dataBucketName } from "./storage.js";
import { awsName } from "../../../src/naming.js";

export const LAMBDA_LOG_RETENTION_DAYS = 30;

/** Actions AWS authorizes only on `*`; every other statement names exact ARNs. */
export const WILDCARD_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/** Where an AWS-decided value (an ARN, a queue URL) is observed: a composed resource, its field, its region role. */
interface ObservedRef {
  resource: string;
  field: string;
  role?: RegionRole;
}

const otherRole = (scope: RegionScope): RegionRole => (scope.region.role === "primary" ? "secondary" : "primary");

/** Values AWS decides (they carry the account id), read from siblings' observed status. */
const OBSERVED = {
  // The secondary has no table of its own: its handlers use the replica.
  table: (scope: RegionScope): ObservedRef => ({ resource: tableLogical(scope.region.role), field: "arn" }),
  storageKey: (): ObservedRef => ({ resource: LOGICAL.storageKey, field: "arn" }),
  globalCluster: (): ObservedRef => ({ resource: LOGICAL.globalCluster, field: "arn", role: "primary" }),
  primaryCluster: (): ObservedRef => ({ resource: LOGICAL.auroraCluster, field: "arn", role: "primary" }),
  secondaryCluster: (): ObservedRef => ({ resource: LOGICAL.auroraCluster, field: "arn", role: "secondary" }),
  alertsTopic: (): ObservedRef => ({ resource: LOGICAL.alertsTopic, field: "arn" }),
  alertsKey: (): ObservedRef => ({ resource: LOGICAL.alertsKey, field: "arn" }),
  queue: (): ObservedRef => ({ resource: LOGICAL.queue, field: "arn" }),
  queueUrl: (): ObservedRef => ({ resource: LOGICAL.queue, field: "url" }),
  otherQueue: (scope: RegionScope): ObservedRef => ({ resource: LOGICAL.queue, field: "arn", role: otherRole(scope) }),
  otherQueueUrl: (scope: RegionScope): ObservedRef => ({ resource: LOGICAL.queue, field: "url", role: otherRole(scope) }),
  otherStorageKey: (scope: RegionScope): ObservedRef => ({ resource: LOGICAL.storageKey, field: "arn", role: otherRole(scope) }),
} as const;
type Observed = keyof typeof OBSERVED;

export type Arns = Record<Observed, string> & { bucket: string; region: string; otherRegion: string };

export interface HandlerSpec {
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Caps concurrent runs; unset leaves the function on the account's unreserved pool. */
  reservedConcurrency?: number;
  environment?: (scope: RegionScope) => Record<string, string>;
  /** Environment variables AWS decides; the function waits for all of them. */
  observedEnvironment?: (scope: RegionScope) => Record<string, Observed>;
  /** The observed values `statements` names; the policy waits for all of them. */
  uses: (scope: RegionScope) => Observed[];
  statements: (arns: Arns, scope: RegionScope) => Statement[];
}

/** Table and bucket KMS use, only through those two services in this region. */
const storageKeyStatement = (arns: Arns): Statement => ({
  Sid: "StorageKeyViaDataStores",
  Effect: "Allow",
  Action: ["kms:Decrypt", "kms:GenerateDataKey"],
  Resource: arns.storageKey,
  Condition: { StringEquals: { "kms:ViaService": [`dynamodb.${arns.region}.amazonaws.com`, `s3.${arns.region}.amazonaws.com`] } },
});

/**
 * The queues the API sends every message to, as data: its own region's and, with a second region,
 * the other's. Each queue is encrypted with its region's storage key, which a sender needs through
 * that region's SQS only.
 */
const QUEUE_TARGETS = [
  { sid: "OwnQueue", queue: "queue", url: "queueUrl", key: "storageKey", variable: "QUEUE_URL", other: false },
  { sid: "OtherQueue", queue: "otherQueue", url: "otherQueueUrl", key: "otherStorageKey", variable: "OTHER_QUEUE_URL", other: true },
] as const satisfies ReadonlyArray<{ sid: string; queue: Observed; url: Observed; key: Observed; variable: string; other: boolean }>;

function queueTargets(scope: RegionScope) {
  if (!scope.env.spec.messaging.enabled) return [];
  return QUEUE_TARGETS.filter((target) => !target.other || scope.env.secondary);
}

function sendStatements(arns: Arns, scope: RegionScope): Statement[] {
  return queueTargets(scope).flatMap((target): Statement[] => [
    { Sid: `SendTo${target.sid}`, Effect: "Allow", Action: "sqs:SendMessage", Resource: arns[target.queue] },
    {
      Sid: `${target.sid}Key`,
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: arns[target.key],
      Condition: { StringEquals: { "kms:ViaService": `sqs.${target.other ? arns.otherRegion : arns.region}.amazonaws.com` } },
    },
  ]);
}

/** The primary region's Aurora cluster identifier, which the secondary's canary probes. */
export function primaryClusterName(scope: RegionScope): string {
  return awsName("aurora", scope.nameParts(scope.env.primary.name));
}

/** Its ARN; partition and account are those of the (observed) table ARN, since both live in one account. */
function primaryClusterArn(arns: Arns, scope: RegionScope): string {
  const [, partition, , , account] = arns.table.split(":") as [string, string, string, string, string];
  return `arn:${partition}:rds:${scope.env.primary.name}:${account}:cluster:${primaryClusterName(scope)}`;
}

/** The ARN of a cluster's first instance, `<cluster>-1`, the one the failover orchestrator may add. */
export function writerInstanceArn(clusterArn: string): string {
  return `${clusterArn.replace(/:cluster:([^:]+)$/, ":db:$1")}-1`;
}

/** The dr-check handler's object: written in the primary, read back from the replica in the secondary. */
export const DR_CHECK_CANARY_KEY = "dr-check/canary.json";

export const HANDLER_SPECS: Record<Handler, HandlerSpec> = {
  api: {
    description: "Business API behind API Gateway: POST /process and GET /health",
    // API Gateway waits at most 29 s; the handler's own dependency deadlines are shorter still.
    memoryMb: 256,
    timeoutSeconds: 10,
    environment: (scope): Record<string, string> =>
      queueTargets(scope).some((t) => t.other) ? { OTHER_QUEUE_REGION: otherRegion(scope) } : {},
    observedEnvironment: (scope) => Object.fromEntries(queueTargets(scope).map((t) => [t.variable, t.url])),
    // The own queue's key is the storage key already listed: each value once.
    uses: (scope) => [...new Set<Observed>(["table", "storageKey", ...queueTargets(scope).flatMap((t) => [t.queue, t.key])])],
    statements: (arns, scope) => [
      { Sid: "Records", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DescribeTable"], Resource: arns.table },
      { Sid: "AuditObjects", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${arns.bucket}/*` },
      // HeadBucket, the health probe, is authorized as ListBucket.
      { Sid: "BucketProbe", Effect: "Allow", Action: "s3:ListBucket", Resource: arns.bucket },
      storageKeyStatement(arns),
      ...sendStatements(arns, scope),
    ],
  },
  "dr-check": {
    description: "Measures recovery readiness: writes a heartbeat in the primary, reads its replicas' age in the secondary",
    memoryMb: 256,
    timeoutSeconds: 60,
    reservedConcurrency: 1,
    environment: (scope) => ({
      PRIMARY_REGION: scope.env.primary.name,
      DB_CLUSTER_IDENTIFIER: resourceNames(scope).auroraCluster,
      ...(scope.region.role === "secondary" ? { PRIMARY_DB_CLUSTER_IDENTIFIER: primaryClusterName(scope) } : {}),
    }),
    uses: () => ["table", "storageKey"],
    // The primary writes the heartbeat item and canary object; the secondary only reads the replicas.
    statements: (arns, scope) => {
      const writes = scope.region.role === "primary";
      return [
        { Sid: "Heartbeat", Effect: "Allow", Action: writes ? "dynamodb:PutItem" : "dynamodb:GetItem", Resource: arns.table },
        {
          Sid: "Canary",
          Effect: "Allow",
          Action: writes ? "s3:PutObject" : "s3:GetObject",
          Resource: `${arns.bucket}/${DR_CHECK_CANARY_KEY}`,
        },
        storageKeyStatement(arns),
        // The secondary's canary asks the primary region's RDS whether the primary database is up.
        ...(writes
          ? []
          : [
              {
                Sid: "ProbePrimaryDatabase",
                Effect: "Allow" as const,
                Action: "rds:DescribeDBClusters",
                Resource: primaryClusterArn(arns, scope),
              },
            ]),
      ];
    },
  },
  failover: {
    description: "Promotes this region's Aurora cluster in the global database and reports every decision",
    // One orchestration at a time: two promotions must never race.
    memoryMb: 256,
    timeoutSeconds: 300,
    reservedConcurrency: 1,
    environment: (scope) => ({
      FAILOVER_TARGET_REGION: scope.region.name,
      GLOBAL_CLUSTER_ID: resourceNames(scope).globalCluster,
      AUTOMATIC_PROMOTION: String(scope.env.spec.failover.automaticPromotion),
      // The zone the composition gives the region's first instance, so adopting an added writer replaces nothing.
      WRITER_AVAILABILITY_ZONE: scope.region.zones[0]!,
    }),
    observedEnvironment: () => ({ TOPIC_ARN: "alertsTopic" }),
    uses: () => ["globalCluster", "primaryCluster", "secondaryCluster", "alertsTopic", "alertsKey"],
    statements: (arns) => [
      // The promotion actions authorize on the global cluster and on the member clusters they name.
      {
        Sid: "PromoteGlobalDatabase",
        Effect: "Allow",
        Action: ["rds:DescribeGlobalClusters", "rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
        Resource: [arns.globalCluster, arns.primaryCluster, arns.secondaryCluster],
      },
      // Pilot light: the writer it adds to the target's headless cluster, by the composition's
      // identifier; failback targets the primary's cluster, whose writer it reads the same way.
      {
        Sid: "AddWriter",
        Effect: "Allow",
        Action: ["rds:CreateDBInstance", "rds:AddTagsToResource", "rds:DescribeDBInstances"],
        Resource: [arns.primaryCluster, arns.secondaryCluster, ...[arns.primaryCluster, arns.secondaryCluster].map(writerInstanceArn)],
      },
      { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: arns.alertsTopic },
      // The topic is KMS-encrypted: publishing needs its key, only through SNS.
      {
        Sid: "NotifyEncrypted",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: arns.alertsKey,
        Condition: { StringEquals: { "kms:ViaService": `sns.${arns.region}.amazonaws.com` } },
      },
    ],
  },
};

function otherRegion(scope: RegionScope): string {
  const { env, region } = scope;
  return (region.role === "primary" ? (env.secondary ?? env.primary) : env.primary).name;
}

/** Reads observed values for `waiting`; undefined values mean they are not known yet. */
function observedValues(scope: RegionScope, keys: Observed[], waiting: string): Record<string, string | undefined> {
  return Object.fromEntries(
    keys.map((key) => {
      const ref = OBSERVED[key](scope);
      return [key, scope.atProvider(ref.resource, ref.field, waiting, ref.role)];
    }),
  );
}

export const functionLogical = (handler: Handler) => `function-${handler}`;

const codeHash = (handler: Handler) => Buffer.from(LAMBDA_CODE[handler].sha256Base64, "base64").toString("hex");

/** The S3 key of a handler's code: content-addressed, so a new build is a new object. */
export function codeKey(handler: Handler): string {
  return `lambda/${handler}/${codeHash(handler)}.zip`;
}

export function compute(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const names = resourceNames(scope);
  const out: Record<string, ManagedResource> = codeBucket(scope);
  const codeBucketSelector = scope.select("code-bucket");

  for (const { handler, name } of names.functions) {
    const spec = HANDLER_SPECS[handler];
    const code = LAMBDA_CODE[handler];
    const key = codeKey(handler);
    const roleName = scope.name(`${handler}-lambda`, true);
    const logGroupName = `/aws/lambda/${name}`;
    const fn = functionLogical(handler);

    // S3 keys cannot change in place (the provider refuses a replacing update), so the composed
    // name carries the code's hash: a new build adds an object and the old one is deleted.
    out[`code-${handler}-${codeHash(handler).slice(0, 8)}`] = new S3Object({
      // Untagged: S3 allows 10 tags per object and a claim may carry 40; the bucket has them.
      spec: {
        forProvider: { region, bucketSelector: codeBucketSelector, key, contentBase64: code.zipBase64, contentType: "application/zip" },
      },
    });
    out[`role-${handler}`] = new Role({
      metadata: scope.externalName(roleName),
      spec: {
        forProvider: {
          assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
          description: spec.description,
          tags: scope.tags(roleName),
        },
      },
    });
    out[`log-group-${handler}`] = new LogGroup({
      metadata: scope.externalName(logGroupName),
      spec: { forProvider: { region, retentionInDays: LAMBDA_LOG_RETENTION_DAYS, tags: scope.tags(logGroupName) } },
    });

    const policy = `role-${handler}-policy`;
    const logGroupArn = scope.atProvider(`log-group-${handler}`, "arn", policy);
    const uses = spec.uses(scope);
    const observed = observedValues(scope, uses, policy);
    if (logGroupArn && uses.every((arn) => observed[arn])) {
      const arns = { ...observed, bucket: `arn:aws:s3:::${dataBucketName(scope)}`, region, otherRegion: otherRegion(scope) } as Arns;
      out[policy] = new RolePolicy({
        metadata: scope.externalName(roleName),
        spec: {
          forProvider: {
            roleSelector: scope.select(`role-${handler}`),
            policy: policyDocument([
              writeLogsStatement(logGroupArn),
              // X-Ray has no resource-level permissions for sending traces.
              { Sid: "SendTraces", Effect: "Allow", Action: [...WILDCARD_ACTIONS], Resource: "*" },
              ...spec.statements(arns, scope),
            ]),
          },
        },
      });
    }

    const observedEnv = Object.entries(spec.observedEnvironment?.(scope) ?? {});
    const envValues = observedValues(
      scope,
      observedEnv.map(([, key]) => key),
      fn,
    );
    if (!observedEnv.every(([, key]) => envValues[key])) continue;
    out[fn] = new LambdaFunction({
      metadata: scope.externalName(name),
      spec: {
        forProvider: {
          region,
          description: spec.description,
          roleSelector: scope.select(`role-${handler}`),
          runtime: LAMBDA_RUNTIME,
          handler: LAMBDA_HANDLER,
          architectures: ["arm64"],
          packageType: "Zip",
          memorySize: spec.memoryMb,
          timeout: spec.timeoutSeconds,
          ...(spec.reservedConcurrency ? { reservedConcurrentExecutions: spec.reservedConcurrency } : {}),
          s3BucketSelector: codeBucketSelector,
          s3Key: key,
          sourceCodeHash: code.sha256Base64,
          environment: {
            variables: {
              TABLE_NAME: names.table,
              BUCKET_NAME: dataBucketName(scope),
              REGION_ROLE: scope.region.role,
              ENVIRONMENT_SUFFIX: scope.env.suffix,
              ...spec.environment?.(scope),
              ...Object.fromEntries(observedEnv.map(([variable, key]) => [variable, envValues[key]!])),
            },
          },
          tracingConfig: { mode: "Active" },
          tags: scope.tags(name),
        },
      },
    });
  }
  return out;
}

/**
 * A code bucket of its own, not a prefix of the data bucket: the functions' roles can write the
 * data bucket, so code there could be rewritten by the code it runs, and the data bucket's
 * lifecycle and replication rules are for data. Only the provider reads and writes this bucket.
 */
function codeBucket(scope: RegionScope): Record<string, ManagedResource> {
  // Holds nothing the composition cannot write again, so it is always destroyable.
  return privateBucket(scope, "code-bucket", { name: scope.bucketName("code"), stateful: false });
}
