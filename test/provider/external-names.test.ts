/**
 * External names as provider-upjet-aws keeps them (its `config/externalname.go`): where the
 * provider rewrites the annotation after it observes the resource, an annotation the function
 * writes in another form flips on every reconcile. Each row is one kind's rule in the provider's
 * config and the form the annotation must have.
 */
import { EXTERNAL_NAME, type Manifest } from "../../tools/policy/index.js";
import { settledClaims, type SettledClaim } from "../security/claims.js";

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
  ...[
    "iam.aws.upbound.io/Role",
    "dynamodb.aws.upbound.io/Table",
    "lambda.aws.upbound.io/Function",
    "rds.aws.upbound.io/Cluster",
    "s3.aws.upbound.io/Bucket",
    "cloudwatch.aws.upbound.io/MetricAlarm",
  ].map((kind): ExternalNameRule => ({
    kind,
    provider: "NameAsIdentifier / ParameterAsIdentifier: the external name is the AWS name",
    problem: (name) => (name === undefined ? "has no external name, so the AWS name would be the generated Kubernetes name" : undefined),
  })),
];

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
