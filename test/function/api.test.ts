import { ACCESS_LOG_FORMAT, api, ROUTES, routeId, routesHash } from "../../functions/src/blocks/api.js";
import { ACCOUNT, arn, observedOf, ofKind, runBlock } from "../support/blocks.js";

const EXECUTION_ARN = `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5`;
const DEPLOYMENT = `api-deployment-${routesHash()}`;
const ACCESS_LOGS_ARN = arn.logGroup("/dr/prod01/api-access-logs");
const OBSERVED: Record<string, Record<string, string>> = {
  "rest-api": { id: "a1b2c3d4e5", executionArn: EXECUTION_ARN },
  "api-integration-post-process": { id: "agi-1" },
  "api-integration-get-health": { id: "agi-2" },
  [DEPLOYMENT]: { id: "dep123" },
  "api-access-logs": { arn: `${ACCESS_LOGS_ARN}:*` },
};

describe("api block", () => {
  it("is a regional REST API with POST /process behind an API key and GET /health open", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    expect(resources["rest-api"].spec.forProvider).toMatchObject({
      name: "dr-api-prod01-9872f00b-us-east-1",
      endpointConfiguration: { types: ["REGIONAL"] },
      apiKeySource: "HEADER",
    });
    const methods = Object.values<any>(ofKind(resources, "Method")).map((m) => m.spec.forProvider);
    expect(
      methods
        .map(({ httpMethod, apiKeyRequired, authorization }) => ({ httpMethod, apiKeyRequired, authorization }))
        .sort((a, b) => a.httpMethod.localeCompare(b.httpMethod)),
    ).toEqual([
      { httpMethod: "GET", apiKeyRequired: false, authorization: "NONE" },
      { httpMethod: "POST", apiKeyRequired: true, authorization: "NONE" },
    ]);
    expect(resources["api-method-post-process"].spec.forProvider.resourceIdSelector.matchLabels["dr.platform.io/resource"]).toBe(
      "api-resource-process",
    );
    expect(resources["api-resource-health"].spec.forProvider.pathPart).toBe("health");
    for (const integration of Object.values<any>(ofKind(resources, "Integration"))) {
      expect(integration.spec.forProvider).toMatchObject({
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uriSelector: { matchControllerRef: true, matchLabels: { "dr.platform.io/resource": "function-api" } },
      });
    }
  });

  it("throttles and meters with the claim's values", () => {
    const spec = { api: { rateLimit: 7, burstLimit: 9, quotaPerMonth: 1234 } };
    const { resources } = runBlock(api, "api", { spec, observed: observedOf(OBSERVED) });
    expect(resources["api-usage-plan"].spec.forProvider).toMatchObject({
      throttleSettings: { rateLimit: 7, burstLimit: 9 },
      quotaSettings: { limit: 1234, period: "MONTH" },
    });
    expect(resources["api-method-settings"].spec.forProvider).toMatchObject({
      methodPath: "*/*",
      settings: { metricsEnabled: true, throttlingRateLimit: 7, throttlingBurstLimit: 9 },
    });
    expect(resources["api-usage-plan-key"].spec.forProvider).toMatchObject({
      keyType: "API_KEY",
      keyIdSelector: { matchLabels: { "dr.platform.io/resource": "api-key" } },
      usagePlanIdSelector: { matchLabels: { "dr.platform.io/resource": "api-usage-plan" } },
    });
    expect(resources["api-key"].spec.forProvider).not.toHaveProperty("value");
  });

  it("lets only this API's stage invoke the function, route by route, once the execution ARN is observed", () => {
    const before = runBlock(api, "api");
    expect(ofKind(before.resources, "Permission")).toEqual({});
    expect(before.pending.map((p) => p.resource)).toEqual(
      expect.arrayContaining(["primary-api-permission-post-process", "primary-api-permission-get-health"]),
    );

    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    const permissions = Object.values<any>(ofKind(resources, "Permission")).map((p) => p.spec.forProvider);
    expect(permissions.map((p) => p.sourceArn).sort()).toEqual([`${EXECUTION_ARN}/live/GET/health`, `${EXECUTION_ARN}/live/POST/process`]);
    for (const p of permissions) {
      expect(p).toMatchObject({ action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" });
      expect(p.functionNameSelector.matchLabels["dr.platform.io/resource"]).toBe("function-api");
    }
  });

  it("deploys only once every integration exists, and the stage follows the observed deployment", () => {
    const none = runBlock(api, "api");
    expect(none.resources[DEPLOYMENT]).toBeUndefined();
    expect(none.resources["api-stage"]).toBeUndefined();
    const { "api-integration-get-health": _health, ...oneIntegration } = OBSERVED;
    expect(runBlock(api, "api", { observed: observedOf(oneIntegration) }).resources[DEPLOYMENT]).toBeUndefined();

    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    expect(resources[DEPLOYMENT].spec.forProvider.triggers).toEqual({ routes: routesHash() });
    expect(resources["api-stage"].spec.forProvider).toMatchObject({
      stageName: "live",
      deploymentId: "dep123",
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: ACCESS_LOGS_ARN },
    });
    const format = JSON.parse(resources["api-stage"].spec.forProvider.accessLogSettings.format);
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status", apiKeyId: "$context.identity.apiKeyId" });
    expect(resources["api-access-logs"].spec.forProvider.retentionInDays).toBeGreaterThan(0);
  });

  it("names a new deployment when the routes change, so a route change redeploys", () => {
    const changed = ROUTES.map((r) => (r.path === "health" ? { ...r, apiKeyRequired: true } : r));
    expect(routesHash(changed)).not.toBe(routesHash());
    expect(routesHash([...ROUTES])).toBe(routesHash());
    expect(ROUTES.map(routeId)).toEqual(["post-process", "get-health"]);
  });

  it("leaves the region's API Gateway account setting and its role to the platform install", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    expect(Object.keys(resources).length).toBeGreaterThan(5);
    expect(Object.values<any>(resources).filter((r) => r.kind === "Account" || /apigw-logs/.test(JSON.stringify(r)))).toEqual([]);
  });

  it("tags everything taggable and puts the suffix in every name", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    for (const kind of ["RestAPI", "Stage", "UsagePlan", "APIKey", "Group", "Role"]) {
      for (const r of Object.values<any>(ofKind(resources, kind))) {
        expect(r.spec.forProvider.tags).toMatchObject({ "dr.platform.io/environment": "prod01", CostCenter: "Operations" });
        expect(r.spec.forProvider.tags.Name).toContain("prod01");
      }
    }
    for (const r of Object.values<any>(resources)) {
      const name = r.spec.forProvider.name ?? r.metadata?.annotations?.["crossplane.io/external-name"];
      if (name) expect(name).toContain("prod01");
    }
  });
});

describe("api block, what the stage exposes", () => {
  it("logs each request as API Gateway context variables only: ids and figures, never a body or the key's value", () => {
    const format = JSON.parse(ACCESS_LOG_FORMAT) as Record<string, string>;
    expect(Object.keys(format).length).toBeGreaterThanOrEqual(10);
    for (const [field, value] of Object.entries(format)) {
      expect({ field, value }).toEqual({ field, value: expect.stringMatching(/^\$context\.[A-Za-z]+(\.[A-Za-z]+)*$/) });
      expect({ field, body: /body|apiKey$|authorizer/i.test(value) }).toEqual({ field, body: false });
    }
    // Every field a value of its own: a request can be traced by its id, its status and its caller's key id.
    expect(new Set(Object.values(format)).size).toBe(Object.keys(format).length);
    expect(Object.values(format)).toEqual(
      expect.arrayContaining(["$context.requestId", "$context.status", "$context.identity.apiKeyId", "$context.xrayTraceId"]),
    );
  });

  it("keeps execution logging and full request logging off: access logs carry ids, not payloads", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    expect(resources["api-method-settings"].spec.forProvider.settings).toMatchObject({ loggingLevel: "OFF", dataTraceEnabled: false });
    expect(resources["api-method-settings"].spec.forProvider.stageNameSelector.matchLabels["dr.platform.io/resource"]).toBe("api-stage");
  });

  it("meters this API's own stage with an enabled key", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    expect(resources["api-key"].spec.forProvider.enabled).toBe(true);
    expect(resources["api-usage-plan"].spec.forProvider.apiStages).toEqual([
      {
        apiIdSelector: {
          matchControllerRef: true,
          matchLabels: { "dr.platform.io/region-role": "primary", "dr.platform.io/resource": "rest-api" },
        },
        stageSelector: {
          matchControllerRef: true,
          matchLabels: { "dr.platform.io/region-role": "primary", "dr.platform.io/resource": "api-stage" },
        },
      },
    ]);
  });

  it("gives each route's permission a statement id of its own, so neither replaces the other in the function's policy", () => {
    const { resources } = runBlock(api, "api", { observed: observedOf(OBSERVED) });
    const ids = Object.values<any>(ofKind(resources, "Permission")).map((p) => p.spec.forProvider.statementId);
    expect(ids.sort()).toEqual(["apigateway-get-health", "apigateway-post-process"]);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,100}$/);
  });

  it("serves the failover hostname over TLS 1.2 at least, regionally, with the validated certificate", () => {
    const spec = {
      tier: "warm-standby",
      secondaryRegion: "us-west-2",
      dns: { hostedZoneId: "Z0123456789EXAMPLE0PAY", zoneName: "payments.example.com", hostname: "api.payments.example.com" },
    };
    const observed = observedOf({ ...OBSERVED, "certificate-validation": { id: "arn:aws:acm:us-east-1:123456789012:certificate/c1" } });
    const { resources } = runBlock(api, "api", { spec, observed });
    expect(resources["domain-name"].spec.forProvider).toMatchObject({
      region: "us-east-1",
      domainName: "api.payments.example.com",
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: "TLS_1_2",
    });
    expect(resources["certificate"].spec.forProvider).toMatchObject({ domainName: "api.payments.example.com", validationMethod: "DNS" });
    expect(resources["domain-name"].spec.forProvider.regionalCertificateArnSelector.matchLabels["dr.platform.io/resource"]).toBe(
      "certificate-validation",
    );
  });
});

describe("api block, the certificate's DNS validation", () => {
  const HOSTNAME = "api.payments.example.com";
  const spec = {
    tier: "warm-standby",
    secondaryRegion: "us-west-2",
    dns: { hostedZoneId: "Z0123456789EXAMPLE0PAY", zoneName: "payments.example.com", hostname: HOSTNAME },
  };
  const option = (name: string, value = `_v.${name}.acm-validations.aws.`) => ({
    domainName: HOSTNAME,
    resourceRecordName: name,
    resourceRecordType: "CNAME",
    resourceRecordValue: value,
  });
  const certificate = (role: "primary" | "secondary", options: unknown[]) => ({
    [`${role}-certificate`]: { status: { atProvider: { domainValidationOptions: options } } },
  });
  const zone = { "primary-team-zone": { status: { atProvider: { name: "payments.example.com", vpc: [] } } } };

  it("writes no record from an option ACM has not filled in yet, and says what it waits for", () => {
    const observed = { ...observedOf(OBSERVED), ...zone, ...certificate("primary", [{ domainName: HOSTNAME }]) };
    const { resources, pending } = runBlock(api, "api", { spec, observed });
    expect(resources["certificate-validation-record"]).toBeUndefined();
    expect(pending).toContainEqual({
      resource: "primary-certificate-validation",
      reason: "waits for domainValidationOptions of primary-certificate",
    });
  });

  it("lets the secondary validate through the primary's record when ACM gives both the same, and write its own when not", () => {
    const same = option("_a1.api.payments.example.com.");
    const shared = { ...zone, ...certificate("primary", [same]), ...certificate("secondary", [same]) };
    expect(runBlock(api, "api", { spec, observed: shared, role: "secondary" }).resources["certificate-validation-record"]).toBeUndefined();
    expect(runBlock(api, "api", { spec, observed: shared }).resources["certificate-validation-record"].spec.forProvider).toMatchObject({
      name: same.resourceRecordName,
      records: [same.resourceRecordValue],
    });

    const own = option("_b2.api.payments.example.com.");
    const apart = { ...zone, ...certificate("primary", [same]), ...certificate("secondary", [own]) };
    const { resources } = runBlock(api, "api", { spec, observed: apart, role: "secondary" });
    expect(resources["certificate-validation-record"].spec.forProvider).toMatchObject({
      name: own.resourceRecordName,
      type: "CNAME",
      records: [own.resourceRecordValue],
      // Both records live in the team's zone, which the primary observes.
      zoneIdSelector: { matchLabels: { "dr.platform.io/region-role": "primary", "dr.platform.io/resource": "team-zone" } },
    });
  });

  it("maps no custom domain before ACM has issued the certificate, which API Gateway would refuse", () => {
    const same = option("_a1.api.payments.example.com.");
    const recorded = { "primary-certificate-validation-record": { status: { atProvider: { fqdn: "_a1.api.payments.example.com" } } } };
    const observed = { ...observedOf(OBSERVED), ...zone, ...certificate("primary", [same]), ...recorded };
    const { resources, pending } = runBlock(api, "api", { spec, observed });
    expect(resources["certificate-validation"].spec.forProvider.validationRecordFqdns).toEqual(["_a1.api.payments.example.com"]);
    expect(resources["domain-name"]).toBeUndefined();
    expect(resources["base-path-mapping"]).toBeUndefined();
    expect(pending).toContainEqual({ resource: "primary-domain-name", reason: "waits for id of primary-certificate-validation" });
  });
});
