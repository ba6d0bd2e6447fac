/**
 * API: the regional REST API in front of the Lambda handlers. `POST /process` needs an API key and
 * is metered by a usage plan; `GET /health` is open so Route 53 health checks can call it. The
 * stage logs every request to its own log group, traces with X-Ray and throttles per the claim.
 */
import { RestAPI } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/RestAPI";
import { Resource } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/Resource";
import { Method } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/Method";
import { Integration } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/Integration";
import { Deployment } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/Deployment";
import { Stage } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/Stage";
import { MethodSettings } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/MethodSettings";
import { UsagePlan } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/UsagePlan";
import { APIKey } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/APIKey";
import { UsagePlanKey } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/UsagePlanKey";
import { Certificate } from "@crossplane-models/provider-upjet-aws/acm.aws.upbound.io/v1beta2/Certificate";
import { CertificateValidation } from "@crossplane-models/provider-upjet-aws/acm.aws.upbound.io/v1beta1/CertificateValidation";
import { DomainName } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta2/DomainName";
import { BasePathMapping } from "@crossplane-models/provider-upjet-aws/apigateway.aws.upbound.io/v1beta1/BasePathMapping";
import { Record as DnsRecord } from "@crossplane-models/provider-upjet-aws/route53.aws.upbound.io/v1beta2/Record";
import { Permission } from "@crossplane-models/provider-upjet-aws/lambda.aws.upbound.io/v1beta1/Permission";
import { Group as LogGroup } from "@crossplane-models/provider-upjet-aws/cloudwatchlogs.aws.upbound.io/v1beta1/Group";
import { shortHash } from "../../../src/naming.js";
import type { ManagedResource } from "../block.js";
import type { RegionScope } from "../scope.js";
import { functionLogical } from "./compute.js";
import { teamDns, zoneVerified } from "./dns.js";
import { LOGICAL, resourceNames, type Handler } from "./names.js";

export interface Route {
  path: string;
  method: "GET" | "POST";
  handler: Handler;
  apiKeyRequired: boolean;
}

/** The API's routes, one path segment each, all Lambda proxy integrations. */
export const ROUTES: readonly Route[] = [
  { path: "process", method: "POST", handler: "api", apiKeyRequired: true },
  // Route 53 health checkers cannot send an API key.
  { path: "health", method: "GET", handler: "api", apiKeyRequired: false },
];

export const API_ACCESS_LOG_RETENTION_DAYS = 90;

/** One JSON line per request; ids only, never the key's value or a body. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  latency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  apiKeyId: "$context.identity.apiKeyId",
  xrayTraceId: "$context.xrayTraceId",
});

export const routeId = (route: Route) => `${route.method.toLowerCase()}-${route.path}`;

/** What a deployment snapshots; a change to it means a new deployment. */
export function routesHash(routes: readonly Route[] = ROUTES): string {
  return shortHash(JSON.stringify(routes.map((r) => [r.method, r.path, r.handler, r.apiKeyRequired, "AWS_PROXY"])));
}

export function api(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const names = resourceNames(scope);
  const { rateLimit, burstLimit, quotaPerMonth } = scope.env.spec.api;
  const restApi = scope.select(LOGICAL.restApi);
  const stage = scope.select(LOGICAL.apiStage);
  const out: Record<string, ManagedResource> = {
    [LOGICAL.restApi]: new RestAPI({
      spec: {
        forProvider: {
          region,
          name: names.restApi,
          description: `DR environment ${scope.env.suffix} in ${region}`,
          endpointConfiguration: { types: ["REGIONAL"] },
          apiKeySource: "HEADER",
          tags: scope.tags(names.restApi),
        },
      },
    }),
  };

  const integrationIds: Array<string | undefined> = [];
  const deployment = `api-deployment-${routesHash()}`;
  for (const route of ROUTES) {
    const id = routeId(route);
    const resource = `api-resource-${route.path}`;
    out[resource] = new Resource({
      spec: { forProvider: { region, restApiIdSelector: restApi, parentIdSelector: restApi, pathPart: route.path } },
    });
    out[`api-method-${id}`] = new Method({
      spec: {
        forProvider: {
          region,
          restApiIdSelector: restApi,
          resourceIdSelector: scope.select(resource),
          httpMethod: route.method,
          authorization: "NONE",
          apiKeyRequired: route.apiKeyRequired,
        },
      },
    });
    out[`api-integration-${id}`] = new Integration({
      spec: {
        forProvider: {
          region,
          restApiIdSelector: restApi,
          resourceIdSelector: scope.select(resource),
          httpMethod: route.method,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uriSelector: scope.select(functionLogical(route.handler)),
        },
      },
    });
    integrationIds.push(scope.atProvider(`api-integration-${id}`, "id", deployment));
    // Invocable by this API's stage on this route only: no other API, stage, method or path.
    const executionArn = scope.atProvider(LOGICAL.restApi, "executionArn", `api-permission-${id}`);
    if (executionArn) {
      out[`api-permission-${id}`] = new Permission({
        spec: {
          forProvider: {
            region,
            functionNameSelector: scope.select(functionLogical(route.handler)),
            action: "lambda:InvokeFunction",
            principal: "apigateway.amazonaws.com",
            statementId: `apigateway-${id}`,
            sourceArn: `${executionArn}/${names.apiStage}/${route.method}/${route.path}`,
          },
        },
      });
    }
  }

  // A deployment is a snapshot: taken before every integration exists it would serve a partial
  // API forever. The provider refuses in-place replacement, so a route change is a new
  // deployment (the hash is in its name) and the stage moves to it once it is observed.
  if (integrationIds.every(Boolean)) {
    out[deployment] = new Deployment({
      spec: {
        forProvider: {
          region,
          restApiIdSelector: restApi,
          description: `Routes ${routesHash()}`,
          triggers: { routes: routesHash() },
        },
      },
    });
  }

  const accessLogs = `/dr/${scope.path}/api-access-logs`;
  out["api-access-logs"] = new LogGroup({
    metadata: scope.externalName(accessLogs),
    spec: { forProvider: { region, retentionInDays: API_ACCESS_LOG_RETENTION_DAYS, tags: scope.tags(accessLogs) } },
  });
  const deploymentId = scope.atProvider(deployment, "id", LOGICAL.apiStage);
  const accessLogsArn = scope.atProvider("api-access-logs", "arn", LOGICAL.apiStage);
  if (deploymentId && accessLogsArn) {
    out[LOGICAL.apiStage] = new Stage({
      spec: {
        forProvider: {
          region,
          restApiIdSelector: restApi,
          stageName: names.apiStage,
          deploymentId,
          xrayTracingEnabled: true,
          accessLogSettings: { destinationArn: accessLogsArn.replace(/:\*$/, ""), format: ACCESS_LOG_FORMAT },
          tags: scope.tags(`${names.restApi}/${names.apiStage}`),
        },
      },
    });
  }
  // Stage-wide limits equal the per-key plan: the single key cannot exceed them, and the keyless
  // health route is held to the same ceiling. Execution logging stays off: access logs suffice.
  out["api-method-settings"] = new MethodSettings({
    spec: {
      forProvider: {
        region,
        restApiIdSelector: restApi,
        stageNameSelector: stage,
        methodPath: "*/*",
        settings: {
          metricsEnabled: true,
          loggingLevel: "OFF",
          dataTraceEnabled: false,
          throttlingRateLimit: rateLimit,
          throttlingBurstLimit: burstLimit,
        },
      },
    },
  });

  const planName = scope.name("api-plan", true);
  const keyName = scope.name("api-key", true);
  out["api-usage-plan"] = new UsagePlan({
    spec: {
      forProvider: {
        region,
        name: planName,
        description: `Throttle and quota per API key of ${names.restApi}`,
        apiStages: [{ apiIdSelector: restApi, stageSelector: stage }],
        throttleSettings: { rateLimit, burstLimit },
        quotaSettings: { limit: quotaPerMonth, period: "MONTH" },
        tags: scope.tags(planName),
      },
    },
  });
  // AWS generates the key's value; it never appears in a spec.
  out["api-key"] = new APIKey({
    spec: {
      forProvider: { region, name: keyName, description: `Client key of ${names.restApi}`, enabled: true, tags: scope.tags(keyName) },
    },
  });
  out["api-usage-plan-key"] = new UsagePlanKey({
    spec: {
      forProvider: {
        region,
        keyIdSelector: scope.select("api-key"),
        keyType: "API_KEY",
        usagePlanIdSelector: scope.select("api-usage-plan"),
      },
    },
  });

  // The region's API Gateway account setting (the role the stage's access logs need) is one per
  // account and region: the platform installs it once (charts/install.ts), never an environment.
  Object.assign(out, customDomain(scope));
  return out;
}

/** TTL of the certificate's validation record; ACM reads it at issue and at every renewal. */
export const VALIDATION_RECORD_TTL_SECONDS = 300;

interface ValidationOption {
  domainName?: string;
  resourceRecordName?: string;
  resourceRecordType?: string;
  resourceRecordValue?: string;
}

/**
 * The certificate's DNS validation record for `hostname`, once ACM has reported it. What waits is
 * the validation: a secondary whose record is the primary's never composes a record of its own.
 */
function validationOption(scope: RegionScope, hostname: string, role = scope.region.role): Required<ValidationOption> | undefined {
  const filledIn = (o: ValidationOption) =>
    o.domainName === hostname && !!o.resourceRecordName && !!o.resourceRecordType && !!o.resourceRecordValue;
  return scope.atProviderItem(LOGICAL.certificate, "domainValidationOptions", LOGICAL.certificateValidation, filledIn, role) as
    Required<ValidationOption> | undefined;
}

/**
 * The failover hostname served by this region (spec.dns): an ACM certificate in this region (a
 * regional custom domain takes one from its own region), validated through a record in the team's
 * zone, a REGIONAL custom domain with that certificate, and the stage mapped at its root, so
 * `https://<hostname>/process` reaches this region's stage. dns.ts points the alias records here.
 */
function customDomain(scope: RegionScope): Record<string, ManagedResource> {
  const team = teamDns(scope);
  if (!team) return {};
  const region = scope.region.name;
  const out: Record<string, ManagedResource> = {
    [LOGICAL.certificate]: new Certificate({
      spec: {
        forProvider: { region, domainName: team.hostname, validationMethod: "DNS", tags: scope.tags(team.hostname) },
      },
    }),
  };

  // ACM gives one account the same validation record for a name in every region: the primary
  // writes it and the secondary's certificate validates through it. A second record of the same
  // name would be refused by Route 53, and deleting either would break the other's renewals.
  const own = validationOption(scope, team.hostname);
  const primaryOption = scope.region.role === "primary" ? own : validationOption(scope, team.hostname, "primary");
  const shared = scope.region.role === "secondary" && own && primaryOption && own.resourceRecordName === primaryOption.resourceRecordName;
  if (own && primaryOption && !shared && zoneVerified(scope, team, LOGICAL.certificateValidationRecord)) {
    out[LOGICAL.certificateValidationRecord] = new DnsRecord({
      spec: {
        forProvider: {
          zoneIdSelector: scope.select(LOGICAL.teamZone, "primary"),
          name: own.resourceRecordName,
          type: own.resourceRecordType,
          ttl: VALIDATION_RECORD_TTL_SECONDS,
          records: [own.resourceRecordValue],
        },
      },
    });
  }
  // The record's name as Route 53 reports it, so validation starts only once the record exists.
  const recordRole = shared ? "primary" : scope.region.role;
  const fqdn =
    own && primaryOption && scope.atProvider(LOGICAL.certificateValidationRecord, "fqdn", LOGICAL.certificateValidation, recordRole);
  if (fqdn) {
    out[LOGICAL.certificateValidation] = new CertificateValidation({
      spec: {
        forProvider: { region, certificateArnSelector: scope.select(LOGICAL.certificate), validationRecordFqdns: [fqdn] },
      },
    });
  }

  // API Gateway refuses a certificate that is not issued yet; the validation reports an id once ACM has issued it.
  const validated = scope.atProvider(LOGICAL.certificateValidation, "id", LOGICAL.domainName);
  if (validated) {
    out[LOGICAL.domainName] = new DomainName({
      spec: {
        forProvider: {
          region,
          domainName: team.hostname,
          endpointConfiguration: { types: ["REGIONAL"] },
          regionalCertificateArnSelector: scope.select(LOGICAL.certificateValidation),
          securityPolicy: "TLS_1_2",
          tags: scope.tags(team.hostname),
        },
      },
    });
    // No base path: the custom domain's root is the stage, so paths match the routes.
    out[LOGICAL.basePathMapping] = new BasePathMapping({
      spec: {
        forProvider: {
          region,
          apiIdSelector: scope.select(LOGICAL.restApi),
          stageNameSelector: scope.select(LOGICAL.apiStage),
          domainNameSelector: scope.select(LOGICAL.domainName),
        },
      },
    });
  }
  return out;
}
