/**
 * External names as provider-upjet-aws keeps them (its `config/externalname.go`): where the
 * provider rewrites the annotation after it observes the resource, an annotation the function
 * writes in another form flips on every reconcile. Each row is one kind's rule in the provider's
 * config and the form the annotation must have.
 */
import { EXTERNAL_NAME, type Manifest } from "../../tools/policy/index.js";
import { settledClaims, type SettledClaim } from "../security/claims.js";
import { isProviderKind } from "../support/provider-schema-facts.js";

interface ExternalNameRule {
  kind: string;
  /** The provider's external-name configuration of the kind, for the reader. */
  provider: string;
  /** Problem with the annotation in `r`, if any. */
  problem(name: string | undefined, r: Manifest): string | undefined;
}

const RULES: ExternalNameRule[] = [
  {
    kind: "kms.aws.upbound.io/Alias",
    provider: "kmsAlias(): GetExternalNameFn returns the id with the `alias/` prefix trimmed",
    problem: (name) =>
      name === undefined ? "has no external name" : name.startsWith("alias/") ? `${name} keeps the alias/ prefix` : undefined,
  },
  {
    kind: "cloudwatchevents.aws.upbound.io/Rule",
    provider: 'FormattedIdentifierUserDefinedNameLast("name", "/", "event_bus_name"): the last part of the id',
    problem: (name) => (name?.includes("/") ? `${name} contains "/", which the provider splits off` : undefined),
  },
  {
    kind: "sns.aws.upbound.io/Topic",
    provider: "TemplatedStringAsIdentifier(name, <topic ARN>): the external name is the topic name, the id its ARN",
    problem: (name) => (name?.startsWith("arn:") ? `${name} is an ARN, not the topic name` : undefined),
  },
];

/**
 * How config/externalname.go identifies each kind composed: `ours` when the external name is the
 * AWS name (NameAsIdentifier, ParameterAsIdentifier, TemplatedStringAsIdentifier on the name), which
 * the function sets so the name is per claim and a re-created claim adopts its own resource;
 * `provider` when the provider records an id AWS assigns or one it formats from parameters, which
 * the function must leave alone (a value it set would be looked up as that id), unless the
 * resource only observes an existing object named by its id.
 */
const IDENTIFIERS: Record<string, { provider: string; external: "ours" | "provider" }> = {
  ...Object.fromEntries(
    (
      [
        ["backup.aws.upbound.io/Vault", "NameAsIdentifier"],
        ["cloudwatch.aws.upbound.io/Dashboard", 'ParameterAsIdentifier("dashboard_name")'],
        ["cloudwatch.aws.upbound.io/MetricAlarm", 'ParameterAsIdentifier("alarm_name")'],
        ["cloudwatchevents.aws.upbound.io/Rule", 'FormattedIdentifierUserDefinedNameLast("name", "/", "event_bus_name")'],
        ["cloudwatchlogs.aws.upbound.io/Group", "NameAsIdentifier"],
        ["dynamodb.aws.upbound.io/Table", "NameAsIdentifier"],
        ["iam.aws.upbound.io/Role", "NameAsIdentifier"],
        ["iam.aws.upbound.io/RolePolicy", 'TemplatedStringAsIdentifier("name", "<role>:<external name>")'],
        ["kms.aws.upbound.io/Alias", "kmsAlias(): NameAsIdentifier without the alias/ prefix"],
        ["lambda.aws.upbound.io/Function", 'ParameterAsIdentifier("function_name")'],
        ["rds.aws.upbound.io/Cluster", 'ParameterAsIdentifier("cluster_identifier")'],
        ["rds.aws.upbound.io/ClusterInstance", 'ParameterAsIdentifier("identifier")'],
        ["rds.aws.upbound.io/ClusterParameterGroup", "NameAsIdentifier"],
        ["rds.aws.upbound.io/GlobalCluster", 'ParameterAsIdentifier("global_cluster_identifier")'],
        ["rds.aws.upbound.io/SubnetGroup", "NameAsIdentifier"],
        ["s3.aws.upbound.io/Bucket", 'ParameterAsIdentifier("bucket")'],
        ["sns.aws.upbound.io/Topic", 'TemplatedStringAsIdentifier("name", <topic ARN>)'],
      ] as const
    ).map(([kind, provider]) => [kind, { provider, external: "ours" as const }]),
  ),
  ...Object.fromEntries(
    (
      [
        ["apigateway.aws.upbound.io/Integration", "apiGatewayFormattedIdentifier(agi, rest_api_id, resource_id, http_method)"],
        ["apigateway.aws.upbound.io/Method", "apiGatewayFormattedIdentifier(agm, rest_api_id, resource_id, http_method)"],
        ["apigateway.aws.upbound.io/MethodSettings", "apiGatewayFormattedIdentifier(rest_api_id, stage_name, method_path)"],
        ["apigateway.aws.upbound.io/Stage", "apiGatewayFormattedIdentifier(ags, rest_api_id, stage_name)"],
        ["cloudwatchevents.aws.upbound.io/Target", 'FormattedIdentifierFromProvider("/", event_bus_name, rule, target_id)'],
        ["ec2.aws.upbound.io/Route", "route(): formatted from route_table_id and the destination"],
        ["ec2.aws.upbound.io/SecurityGroupEgressRule", "vpcSecurityGroupRule(): IdentifierFromProvider"],
        ["ec2.aws.upbound.io/SecurityGroupIngressRule", "vpcSecurityGroupRule(): IdentifierFromProvider"],
        ["ec2.aws.upbound.io/VPCEndpointRouteTableAssociation", 'vpcEndpointAssociationIdentifier("route_table_id")'],
        ["s3.aws.upbound.io/BucketLifecycleConfiguration", "s3BucketIdentifier(): the bucket name, from the state"],
        ["s3.aws.upbound.io/Object", 'FormattedIdentifierFromProvider("/", bucket, key)'],
        ...[
          "acm.aws.upbound.io/Certificate",
          "acm.aws.upbound.io/CertificateValidation",
          "apigateway.aws.upbound.io/APIKey",
          "apigateway.aws.upbound.io/BasePathMapping",
          "apigateway.aws.upbound.io/Deployment",
          "apigateway.aws.upbound.io/DomainName",
          "apigateway.aws.upbound.io/Resource",
          "apigateway.aws.upbound.io/RestAPI",
          "apigateway.aws.upbound.io/UsagePlan",
          "apigateway.aws.upbound.io/UsagePlanKey",
          "backup.aws.upbound.io/Plan",
          "backup.aws.upbound.io/Selection",
          "dynamodb.aws.upbound.io/TableReplica",
          "ec2.aws.upbound.io/FlowLog",
          "ec2.aws.upbound.io/InternetGateway",
          "ec2.aws.upbound.io/RouteTable",
          "ec2.aws.upbound.io/RouteTableAssociation",
          "ec2.aws.upbound.io/SecurityGroup",
          "ec2.aws.upbound.io/Subnet",
          "ec2.aws.upbound.io/VPC",
          "ec2.aws.upbound.io/VPCEndpoint",
          "iam.aws.upbound.io/RolePolicyAttachment",
          "kms.aws.upbound.io/Key",
          "lambda.aws.upbound.io/EventSourceMapping",
          "lambda.aws.upbound.io/Invocation",
          "lambda.aws.upbound.io/Permission",
          "route53.aws.upbound.io/HealthCheck",
          "route53.aws.upbound.io/Record",
          "route53.aws.upbound.io/Zone",
          "s3.aws.upbound.io/BucketOwnershipControls",
          "s3.aws.upbound.io/BucketPolicy",
          "s3.aws.upbound.io/BucketPublicAccessBlock",
          "s3.aws.upbound.io/BucketReplicationConfiguration",
          "s3.aws.upbound.io/BucketServerSideEncryptionConfiguration",
          "s3.aws.upbound.io/BucketVersioning",
          "secretsmanager.aws.upbound.io/Secret",
          "secretsmanager.aws.upbound.io/SecretVersion",
          "sns.aws.upbound.io/TopicSubscription",
          "sqs.aws.upbound.io/Queue",
          "sqs.aws.upbound.io/QueueRedrivePolicy",
        ].map((kind) => [kind, "IdentifierFromProvider"] as const),
      ] as const
    ).map(([kind, provider]) => [kind, { provider, external: "provider" as const }]),
  ),
};

const observesOnly = (r: Manifest) => {
  const policies = r.spec?.managementPolicies as string[] | undefined;
  return Array.isArray(policies) && !policies.some((p) => ["*", "Create", "Update", "Delete"].includes(p));
};

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 180_000);

/** config/externalname.go configures both the cluster and the namespaced registry: a namespaced kind is judged as its cluster twin. */
const kindOf = (r: Manifest) => `${r.apiVersion.split("/")[0]!.replace(".aws.m.upbound.io", ".aws.upbound.io")}/${r.kind}`;

describe.each(RULES.map((r) => [r.kind, r] as const))("external names of %s", (kind, rule) => {
  it(`have the form the provider keeps (${rule.provider})`, () => {
    const judged = envs.flatMap((e) =>
      Object.entries(e.resources)
        .filter(([, r]) => kindOf(r) === kind)
        .map(([n, r]) => [e.source, n, r] as const),
    );
    expect(judged.length).toBeGreaterThan(0);
    const problems = judged.flatMap(([source, n, r]) => {
      const problem = rule.problem(r.metadata?.annotations?.[EXTERNAL_NAME], r);
      return problem ? [`${source}: ${n}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });
});

describe("every composed kind, by how the provider identifies it", () => {
  const composed = () =>
    envs.flatMap((e) =>
      Object.entries(e.resources)
        .filter(([, r]) => isProviderKind(r))
        .map(([n, r]) => ({ where: `${e.source}: ${n}`, kind: kindOf(r), r })),
    );

  it("is in the table, so a new kind is classified before it ships", () => {
    expect([...new Set(composed().map((c) => c.kind))].filter((k) => !IDENTIFIERS[k]).sort()).toEqual([]);
  });

  it("carries the AWS name the function chose where the external name is the name, and none where the provider assigns the id", () => {
    const problems = composed().flatMap(({ where, kind, r }) => {
      const rule = IDENTIFIERS[kind];
      const name = r.metadata?.annotations?.[EXTERNAL_NAME];
      if (!rule) return [];
      if (rule.external === "ours" && !name)
        return [`${where}: ${kind} (${rule.provider}) has no external name: AWS would get the generated Kubernetes name`];
      if (rule.external === "provider" && name !== undefined && !observesOnly(r))
        return [`${where}: ${kind} (${rule.provider}) sets external name ${name}, which the provider would look up as the id`];
      return [];
    });
    expect(problems).toEqual([]);
  });
});

describe("the alias a key is used by", () => {
  it("is the alias the provider creates from the Alias's external name", () => {
    for (const e of envs) {
      const aliases = new Set(
        Object.values(e.resources)
          .filter((r) => kindOf(r) === "kms.aws.upbound.io/Alias")
          .map((r) => `alias/${r.metadata!.annotations![EXTERNAL_NAME]}`),
      );
      const users = Object.entries(e.resources).flatMap(([n, r]) => {
        const id = r.spec?.forProvider?.kmsMasterKeyId;
        return typeof id === "string" && id.startsWith("alias/") ? [[n, id] as const] : [];
      });
      expect(users.length).toBeGreaterThan(0);
      expect(users.filter(([, id]) => !aliases.has(id))).toEqual([]);
    }
  });
});
