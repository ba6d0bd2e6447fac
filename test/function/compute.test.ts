import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import { compute, HANDLER_SPECS, WILDCARD_ACTIONS, codeKey } from "../../functions/src/blocks/compute.js";
import { resourceNames } from "../../functions/src/blocks/names.js";
import { dataBucketName } from "../../functions/src/blocks/storage.js";
import { LAMBDA_CODE } from "../../functions/src/lambda-code.js";
import { writerInstanceId } from "../../functions/lambda/failover.js";
import { ACCOUNT, arn, observedOf, ofKind, runBlock } from "../support/blocks.js";

const TABLE_ARN = arn.table("dr-table-prod01-9872f00b");
const OBSERVED = {
  "log-group-api": { arn: `${arn.logGroup("/aws/lambda/dr-api-prod01-9872f00b-us-east-1")}:*` },
  "log-group-dr-check": { arn: arn.logGroup("/aws/lambda/dr-dr-check-prod01-9872f00b-us-east-1") },
  table: { arn: TABLE_ARN, streamArn: `${TABLE_ARN}/stream/2024-01-01T00:00:00.000` },
  "storage-key": { arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111-2222` },
  "aurora-cluster": { arn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:dr-aurora-prod01-9872f00b-us-east-1` },
  "subnet-private-a": { id: "subnet-0aaa" },
  "subnet-private-b": { id: "subnet-0bbb" },
};

const policyOf = (r: any) =>
  JSON.parse(r.spec.forProvider.policy) as {
    Statement: Array<{ Sid?: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }>;
  };
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

describe("compute block", () => {
  it("composes code, role, log group and function per handler of the tier, in a code bucket of its own", () => {
    const { resources } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    expect(Object.keys(ofKind(resources, "Function")).sort()).toEqual(["function-api", "function-dr-check"]);
    expect(Object.keys(ofKind(resources, "Role")).sort()).toEqual(["role-api", "role-dr-check"]);
    expect(Object.keys(ofKind(resources, "RolePolicy")).sort()).toEqual(["role-api-policy", "role-dr-check-policy"]);
    expect(Object.keys(ofKind(resources, "Group")).sort()).toEqual(["log-group-api", "log-group-dr-check"]);
    expect(Object.keys(ofKind(resources, "Object"))).toHaveLength(2);
    const bucket = resources["code-bucket"];
    expect(bucket.metadata.annotations["crossplane.io/external-name"]).toMatch(/^dr-code-prod01-9872f00b-us-east-1$/);
    expect(resources["code-bucket-public-access-block"].spec.forProvider).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(resources["code-bucket-versioning"].spec.forProvider.versioningConfiguration).toEqual({ status: "Enabled" });
    // The code is written again by every render: a protected environment keeps its data, not this bucket.
    expect(bucket.spec.deletionPolicy ?? "Delete").toBe("Delete");
    expect(bucket.spec.forProvider.forceDestroy).toBe(true);
  });

  it("writes each handler's zip under a key carrying its sha, and the function deploys exactly that object", () => {
    const { resources } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    for (const handler of ["api", "dr-check"] as const) {
      const code = LAMBDA_CODE[handler];
      const zip = Buffer.from(code.zipBase64, "base64");
      expect(createHash("sha256").update(zip).digest("base64")).toBe(code.sha256Base64);
      expect(Object.keys(unzipSync(zip))).toEqual(["index.js"]);
      const hex = Buffer.from(code.sha256Base64, "base64").toString("hex");
      const object = resources[`code-${handler}-${hex.slice(0, 8)}`];
      expect(object.spec.forProvider).toMatchObject({ key: codeKey(handler), contentBase64: code.zipBase64 });
      expect(codeKey(handler)).toContain(hex);
      expect(resources[`function-${handler}`].spec.forProvider).toMatchObject({
        s3Key: codeKey(handler),
        sourceCodeHash: code.sha256Base64,
        s3BucketSelector: { matchControllerRef: true, matchLabels: { "dr.platform.io/resource": "code-bucket" } },
        runtime: "nodejs22.x",
        // The code is a zip in S3; an Image package would need a container image instead.
        packageType: "Zip",
        handler: "index.handler",
        architectures: ["arm64"],
        tracingConfig: { mode: "Active" },
      });
    }
  });

  it("names every AWS resource with the suffix, and regional ones with the region", () => {
    const { resources } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    const external = (logical: string) => resources[logical].metadata.annotations["crossplane.io/external-name"];
    expect(external("role-api")).toBe("dr-api-lambda-prod01-9872f00b-us-east-1");
    expect(external("role-api-policy")).toBe("dr-api-lambda-prod01-9872f00b-us-east-1");
    expect(external("function-dr-check")).toBe("dr-dr-check-prod01-9872f00b-us-east-1");
    expect(external("log-group-dr-check")).toBe("/aws/lambda/dr-dr-check-prod01-9872f00b-us-east-1");
    for (const [logical, r] of Object.entries<any>(resources)) {
      const name = r.metadata?.annotations?.["crossplane.io/external-name"];
      if (name) expect({ logical, name }).toEqual({ logical, name: expect.stringContaining("prod01") });
      if ("tags" in r.spec.forProvider)
        expect(r.spec.forProvider.tags).toMatchObject({ "dr.platform.io/environment": "prod01", CostCenter: "Operations" });
    }
    for (const kind of ["Bucket", "Role", "Group", "Function"]) {
      for (const r of Object.values<any>(ofKind(resources, kind))) expect(r.spec.forProvider.tags.Name).toContain("prod01");
    }
  });

  it("points the functions at the data stores other blocks name, and says which region they run in", () => {
    const { resources, scope } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    const { variables } = resources["function-api"].spec.forProvider.environment;
    expect(variables).toMatchObject({ TABLE_NAME: resourceNames(scope).table, BUCKET_NAME: dataBucketName(scope), REGION_ROLE: "primary" });
    expect(resources["function-dr-check"].spec.forProvider.environment.variables.DB_CLUSTER_IDENTIFIER).toBe(
      "dr-aurora-prod01-9872f00b-us-east-1",
    );
  });

  it("attaches no function to the VPC: each reaches its regional AWS APIs through IAM alone", () => {
    const spec = { tier: "warm-standby", secondaryRegion: "us-west-2", messaging: { enabled: true } };
    for (const role of ["primary", "secondary"] as const) {
      const { resources } = runBlock(compute, "compute", { spec, role });
      const functions = Object.entries<any>(ofKind(resources, "Function"));
      expect(functions.length).toBeGreaterThan(0);
      for (const [logical, fn] of functions) expect({ logical, vpcConfig: fn.spec.forProvider.vpcConfig }).toEqual({ logical });
      expect(ofKind(resources, "RolePolicyAttachment")).toEqual({});
    }
  });

  it("leaves out policies until the ARNs are observed, and says so", () => {
    const { resources, pending } = runBlock(compute, "compute");
    expect(ofKind(resources, "RolePolicy")).toEqual({});
    // Subnets are selected by label, so no function waits for them.
    expect(resources["function-api"]).toBeDefined();
    expect(resources["function-dr-check"]).toBeDefined();
    const waiting = pending.map((p) => `${p.resource} ${p.reason}`);
    expect(waiting).toEqual(
      expect.arrayContaining([
        "primary-role-api-policy waits for arn of primary-table",
        "primary-role-api-policy waits for arn of primary-log-group-api",
        "primary-role-dr-check-policy waits for arn of primary-storage-key",
      ]),
    );
    // One missing ARN is enough to hold a policy back.
    const { "log-group-dr-check": _group, ...withoutGroup } = OBSERVED;
    const partial = runBlock(compute, "compute", { observed: observedOf(withoutGroup) });
    expect(partial.resources["role-api-policy"]).toBeDefined();
    expect(partial.resources["role-dr-check-policy"]).toBeUndefined();
  });

  it("grants only exact ARNs: no `*` resource beyond the actions AWS authorizes only on `*`", () => {
    const { resources } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    for (const [logical, r] of Object.entries<any>(ofKind(resources, "RolePolicy"))) {
      for (const statement of policyOf(r).Statement) {
        expect(statement).not.toHaveProperty("Effect", "Deny");
        if (list(statement.Resource).includes("*")) {
          expect({ logical, actions: list(statement.Action) }).toEqual({ logical, actions: [...WILDCARD_ACTIONS] });
        }
        for (const action of list(statement.Action))
          expect({ logical, action }).toEqual({ logical, action: expect.not.stringContaining("*") });
      }
    }
  });

  it("names the table, bucket, key and the function's own log group exactly", () => {
    const { resources, scope } = runBlock(compute, "compute", { observed: observedOf(OBSERVED) });
    const bucketArn = `arn:aws:s3:::${dataBucketName(scope)}`;
    const resourcesOf = (logical: string) =>
      policyOf(resources[logical])
        .Statement.flatMap((s) => list(s.Resource))
        .filter((r) => r !== "*")
        .sort();
    const apiGroup = arn.logGroup("/aws/lambda/dr-api-prod01-9872f00b-us-east-1");
    expect(resourcesOf("role-api-policy")).toEqual(
      [apiGroup, `${apiGroup}:log-stream:*`, OBSERVED["storage-key"].arn, bucketArn, `${bucketArn}/*`, TABLE_ARN].sort(),
    );
    const checkGroup = OBSERVED["log-group-dr-check"].arn;
    // The primary's check writes one item and one object, nothing else.
    expect(resourcesOf("role-dr-check-policy")).toEqual(
      [checkGroup, `${checkGroup}:log-stream:*`, OBSERVED["storage-key"].arn, `${bucketArn}/dr-check/canary.json`, TABLE_ARN].sort(),
    );
    const checkActions = policyOf(resources["role-dr-check-policy"])
      .Statement.filter((s) => s.Sid === "Heartbeat" || s.Sid === "Canary")
      .map((s) => s.Action);
    expect(checkActions).toEqual(["dynamodb:PutItem", "s3:PutObject"]);
    const keyStatement = policyOf(resources["role-api-policy"]).Statement.find((s) => s.Sid === "StorageKeyViaDataStores");
    expect(keyStatement?.Condition).toEqual({
      StringEquals: { "kms:ViaService": ["dynamodb.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"] },
    });
  });

  it("takes the region as a parameter: a secondary region composes its own names and the failover handler", () => {
    const spec = { tier: "pilot-light", secondaryRegion: "us-west-2" };
    const topic = { "alerts-topic": { arn: `arn:aws:sns:us-west-2:${ACCOUNT}:dr-alerts-prod01-9872f00b-us-west-2` } };
    const { resources } = runBlock(compute, "compute", { spec, role: "secondary", observed: observedOf(topic, "secondary") });
    expect(resources["function-failover"].metadata.annotations["crossplane.io/external-name"]).toBe(
      "dr-failover-prod01-9872f00b-us-west-2",
    );
    expect(resources["function-failover"].spec.forProvider).toMatchObject({
      region: "us-west-2",
      reservedConcurrentExecutions: HANDLER_SPECS.failover.reservedConcurrency,
    });
    expect(resources["role-api"].metadata.annotations["crossplane.io/external-name"]).toBe("dr-api-lambda-prod01-9872f00b-us-west-2");
    for (const r of Object.values<any>(resources)) if ("region" in r.spec.forProvider) expect(r.spec.forProvider.region).toBe("us-west-2");
  });

  describe("DR-only handlers", () => {
    const spec = { tier: "warm-standby", secondaryRegion: "us-west-2", messaging: { enabled: true } };
    const GLOBAL = `arn:aws:rds::${ACCOUNT}:global-cluster:dr-aurora-global-prod01-9872f00b`;
    const CLUSTER = (region: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:dr-aurora-prod01-9872f00b-${region}`;
    const QUEUE = (region: string) => `arn:aws:sqs:${region}:${ACCOUNT}:dr-queue-prod01-9872f00b-${region}`;
    const KEY = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${region}-storage`;
    const secondary = {
      "log-group-failover": { arn: arn.logGroup("/aws/lambda/dr-failover-prod01-9872f00b-us-west-2", "us-west-2") },
      "log-group-api": { arn: arn.logGroup("/aws/lambda/dr-api-prod01-9872f00b-us-west-2", "us-west-2") },
      "log-group-dr-check": { arn: arn.logGroup("/aws/lambda/dr-dr-check-prod01-9872f00b-us-west-2", "us-west-2") },
      "alerts-topic": { arn: `arn:aws:sns:us-west-2:${ACCOUNT}:dr-alerts-prod01-9872f00b-us-west-2` },
      "alerts-key": { arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/alerts` },
      "aurora-cluster": { arn: CLUSTER("us-west-2") },
      "table-replica": { arn: arn.table("dr-table-prod01-9872f00b", "us-west-2") },
      "storage-key": { arn: KEY("us-west-2") },
      queue: { arn: QUEUE("us-west-2"), url: `https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/dr-queue-prod01-9872f00b-us-west-2` },
    };
    const primary = {
      "aurora-global-cluster": { arn: GLOBAL },
      "aurora-cluster": { arn: CLUSTER("us-east-1") },
      "storage-key": { arn: KEY("us-east-1") },
      queue: { arn: QUEUE("us-east-1"), url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/dr-queue-prod01-9872f00b-us-east-1` },
    };
    const observed = { ...observedOf(secondary, "secondary"), ...observedOf(primary, "primary") };

    it("lets the orchestrator promote only this global database's members and publish only to its topic", () => {
      const { resources } = runBlock(compute, "compute", { spec, observed, role: "secondary" });
      const statements = policyOf(resources["role-failover-policy"]).Statement;
      expect(statements.find((s) => s.Sid === "PromoteGlobalDatabase")).toMatchObject({
        Action: ["rds:DescribeGlobalClusters", "rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
        Resource: [GLOBAL, CLUSTER("us-east-1"), CLUSTER("us-west-2")],
      });
      expect(statements.find((s) => s.Sid === "Notify")?.Resource).toBe(secondary["alerts-topic"].arn);
      expect(statements.find((s) => s.Sid === "NotifyEncrypted")).toMatchObject({
        Resource: secondary["alerts-key"].arn,
        Condition: { StringEquals: { "kms:ViaService": "sns.us-west-2.amazonaws.com" } },
      });
    });

    it("lets the orchestrator add and tag each cluster's writer `<cluster>-1`, by the instance ARN RDS authorizes CreateDBInstance on", () => {
      const { resources } = runBlock(compute, "compute", { spec, observed, role: "secondary" });
      const addWriter = policyOf(resources["role-failover-policy"]).Statement.find((s) => s.Sid === "AddWriter");
      // The identifier the orchestrator gives the writer it adds, as RDS names an instance in an ARN.
      const instance = (region: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${writerInstanceId(`dr-aurora-prod01-9872f00b-${region}`)}`;
      expect(addWriter?.Resource).toEqual([CLUSTER("us-east-1"), CLUSTER("us-west-2"), instance("us-east-1"), instance("us-west-2")]);
      expect(instance("us-west-2")).toBe(`arn:aws:rds:us-west-2:${ACCOUNT}:db:dr-aurora-prod01-9872f00b-us-west-2-1`);
    });

    it("lets only the secondary's canary describe the primary cluster, the one it is told to probe, by its full ARN", () => {
      const secondaryRun = runBlock(compute, "compute", { spec, observed, role: "secondary" });
      const probe = policyOf(secondaryRun.resources["role-dr-check-policy"]).Statement.find((s) => s.Sid === "ProbePrimaryDatabase");
      expect(probe).toMatchObject({ Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: CLUSTER("us-east-1") });
      const variables = secondaryRun.resources["function-dr-check"].spec.forProvider.environment.variables;
      expect(variables.PRIMARY_DB_CLUSTER_IDENTIFIER).toBe("dr-aurora-prod01-9872f00b-us-east-1");
      // The primary's canary writes the heartbeat and probes nothing: neither the variable nor the permission.
      const primaryOwn = { ...OBSERVED, queue: primary.queue, "storage-key": primary["storage-key"] };
      const primaryRun = runBlock(compute, "compute", { spec, observed: observedOf(primaryOwn, "primary"), role: "primary" });
      const primaryStatements = policyOf(primaryRun.resources["role-dr-check-policy"]).Statement;
      expect(primaryStatements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith("rds:"))).toEqual([]);
      expect(primaryRun.resources["function-dr-check"].spec.forProvider.environment.variables).not.toHaveProperty(
        "PRIMARY_DB_CLUSTER_IDENTIFIER",
      );
    });

    it("builds the probed cluster's ARN in the partition and account of the table AWS reported", () => {
      const elsewhere = "arn:aws-us-gov:dynamodb:us-west-2:210987654321:table/dr-table-prod01-9872f00b";
      const reported = { ...observed, ...observedOf({ "table-replica": { arn: elsewhere } }, "secondary") };
      const { resources } = runBlock(compute, "compute", { spec, observed: reported, role: "secondary" });
      const probe = policyOf(resources["role-dr-check-policy"]).Statement.find((s) => s.Sid === "ProbePrimaryDatabase");
      expect(probe?.Resource).toBe("arn:aws-us-gov:rds:us-east-1:210987654321:cluster:dr-aurora-prod01-9872f00b-us-east-1");
    });

    const URL = (region: string) => `https://sqs.${region}.amazonaws.com/${ACCOUNT}/dr-queue-prod01-9872f00b-${region}`;
    const sendStatements = (resources: Record<string, any>) =>
      policyOf(resources["role-api-policy"]).Statement.filter(
        (s) => list(s.Action).some((a) => a.startsWith("sqs:")) || /Queue/.test(s.Sid ?? ""),
      );

    it("lets the API send to its own region's queue and the other's, each key only through its region's SQS", () => {
      const { resources } = runBlock(compute, "compute", { spec, observed, role: "secondary" });
      // Each queue, and its region's storage key only through that region's SQS.
      const sendsTo = (sid: string, region: string) => [
        { Sid: `SendTo${sid}`, Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE(region) },
        {
          Sid: `${sid}Key`,
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: KEY(region),
          Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
        },
      ];
      expect(sendStatements(resources)).toEqual([...sendsTo("OwnQueue", "us-west-2"), ...sendsTo("OtherQueue", "us-east-1")]);
      const { variables } = resources["function-api"].spec.forProvider.environment;
      expect(variables).toMatchObject({ QUEUE_URL: URL("us-west-2"), OTHER_QUEUE_URL: URL("us-east-1"), OTHER_QUEUE_REGION: "us-east-1" });
      // The API's send replaces the replicator: nothing consumes the queues.
      expect(Object.keys(resources).filter((logical) => /replicator/.test(logical))).toEqual([]);
    });

    it("sends to both queues only with messaging and a second region; one region sends to its own queue only", () => {
      const cases = [
        { name: "no messaging", spec: { ...spec, messaging: { enabled: false } }, role: "secondary" as const, sids: [], vars: [] },
        {
          name: "one region",
          spec: { tier: "backup-restore", messaging: { enabled: true } },
          role: "primary" as const,
          sids: ["SendToOwnQueue", "OwnQueueKey"],
          vars: ["QUEUE_URL"],
        },
        {
          name: "two regions",
          spec,
          role: "primary" as const,
          sids: ["SendToOwnQueue", "OwnQueueKey", "SendToOtherQueue", "OtherQueueKey"],
          vars: ["QUEUE_URL", "OTHER_QUEUE_URL", "OTHER_QUEUE_REGION"],
        },
      ];
      const primaryOwn = { ...OBSERVED, queue: primary.queue, "storage-key": primary["storage-key"] };
      const all = { ...observedOf(primaryOwn, "primary"), ...observedOf(secondary, "secondary") };
      for (const c of cases) {
        const { resources } = runBlock(compute, "compute", { spec: c.spec, observed: all, role: c.role });
        expect({ name: c.name, sids: sendStatements(resources).map((s) => s.Sid) }).toEqual({ name: c.name, sids: c.sids });
        const variables = Object.keys(resources["function-api"].spec.forProvider.environment.variables);
        expect({ name: c.name, vars: variables.filter((v) => /QUEUE/.test(v)).sort() }).toEqual({ name: c.name, vars: [...c.vars].sort() });
      }
      const { resources } = runBlock(compute, "compute", { spec, observed: all, role: "primary" });
      expect(resources["function-api"].spec.forProvider.environment.variables).toMatchObject({
        QUEUE_URL: URL("us-east-1"),
        OTHER_QUEUE_URL: URL("us-west-2"),
        OTHER_QUEUE_REGION: "us-west-2",
      });
    });

    it("gives the secondary's handlers the replica, read-only for the DR check", () => {
      const { resources } = runBlock(compute, "compute", { spec, observed, role: "secondary" });
      const replica = secondary["table-replica"].arn;
      expect(policyOf(resources["role-dr-check-policy"]).Statement.find((s) => s.Sid === "Heartbeat")).toMatchObject({
        Action: "dynamodb:GetItem",
        Resource: replica,
      });
      expect(policyOf(resources["role-api-policy"]).Statement.find((s) => s.Sid === "Records")?.Resource).toBe(replica);
      expect(resources["function-dr-check"].spec.forProvider.environment.variables.PRIMARY_REGION).toBe("us-east-1");
    });

    it("holds a function back until the values of its environment are observed", () => {
      const { resources, pending } = runBlock(compute, "compute", { spec, role: "secondary" });
      expect(resources["function-failover"]).toBeUndefined();
      expect(resources["function-api"]).toBeUndefined();
      expect(resources["function-dr-check"]).toBeDefined();
      expect(pending).toContainEqual({ resource: "secondary-function-failover", reason: "waits for arn of secondary-alerts-topic" });
      expect(pending).toContainEqual({ resource: "secondary-function-api", reason: "waits for url of secondary-queue" });
      expect(pending).toContainEqual({ resource: "secondary-function-api", reason: "waits for url of primary-queue" });
      expect(pending).toContainEqual({ resource: "secondary-role-api-policy", reason: "waits for arn of primary-storage-key" });
    });

    it("holds a role policy back until every ARN it names is observed, not only some", () => {
      const { [`primary-storage-key`]: _key, ...withoutPrimaryKey } = observed;
      const { resources, pending } = runBlock(compute, "compute", { spec, observed: withoutPrimaryKey, role: "secondary" });
      // The API's other-region key is the one missing; everything else it names is there.
      expect(resources["role-api-policy"]).toBeUndefined();
      expect(pending).toContainEqual({ resource: "secondary-role-api-policy", reason: "waits for arn of primary-storage-key" });
      expect(resources["role-dr-check-policy"]).toBeDefined();
    });
  });
});
