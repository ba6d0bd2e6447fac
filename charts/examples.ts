/**
 * Example claims, one per tier, typed by the claim API and validated at synth time with the same
 * rules the API server applies. examples/ holds committed copies for `kubectl apply -f`; a test
 * keeps them equal to these.
 */
import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { Function as CrossplaneFunction } from "@crossplane-models/crossplane/pkg.crossplane.io/v1beta1/Function";
import {
  API_GROUP,
  API_VERSION,
  CLAIM_KIND,
  NAMESPACED_API_GROUP,
  NAMESPACED_KIND,
  validateSpec,
  type EnvironmentSpec,
  type Tier,
} from "../src/api/index.js";
import { FUNCTION_NAME, FUNCTION_PACKAGE, PACKAGE_VERSION } from "../src/identity.js";
import { addModel } from "../compositions/model-object.js";
import { EXAMPLE_TEAM } from "./tenancy.js";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What a user writes: every field with a default may be left out. */
export type ClaimSpec = DeepPartial<EnvironmentSpec> & Pick<EnvironmentSpec, "environmentSuffix" | "tier" | "primaryRegion">;

export interface ExampleClaim {
  name: string;
  spec: ClaimSpec;
}

export const EXAMPLE_CLAIMS: Record<Tier, ExampleClaim> = {
  "backup-restore": {
    name: "reports",
    spec: {
      environmentSuffix: "rep01",
      tier: "backup-restore",
      primaryRegion: "eu-west-1",
      network: { cidr: "10.20.0.0/16" },
      database: { minCapacity: 0.5, maxCapacity: 2, backupRetentionDays: 14 },
      alerts: { emails: ["reports-oncall@example.com"] },
      // A non-production environment: everything may be destroyed with the claim.
      protection: false,
      tags: { CostCenter: "Analytics" },
    },
  },
  "pilot-light": {
    name: "orders",
    spec: {
      environmentSuffix: "ord01",
      tier: "pilot-light",
      primaryRegion: "us-west-2",
      secondaryRegion: "us-east-1",
      network: { cidr: "10.30.0.0/16", secondaryCidr: "10.31.0.0/16", availabilityZones: 2 },
      database: { engineVersion: "16.4", minCapacity: 0.5, maxCapacity: 8 },
      alerts: { emails: ["orders-oncall@example.com"] },
      // No DNS of its own yet: after a failover its clients switch to the secondary's URL.
      tags: { CostCenter: "Commerce" },
    },
  },
  "warm-standby": {
    name: "payments",
    spec: {
      environmentSuffix: "prod01",
      tier: "warm-standby",
      primaryRegion: "us-east-1",
      secondaryRegion: "us-east-2",
      network: { cidr: "10.0.0.0/16", secondaryCidr: "10.1.0.0/16", availabilityZones: 3 },
      database: { engineVersion: "16.4", minCapacity: 1, maxCapacity: 16, backupRetentionDays: 14 },
      api: { rateLimit: 500, burstLimit: 1000, quotaPerMonth: 50000000 },
      events: { schedule: "rate(1 minute)" },
      alerts: { emails: ["oncall@example.com", "payments-leads@example.com"] },
      failover: { healthCheckIntervalSeconds: 10, failureThreshold: 3 },
      // The team's public zone; the environment only observes it and writes the API's records into it.
      dns: { hostedZoneId: "Z0123456789EXAMPLE0PAY", zoneName: "payments.example.com", hostname: "api.payments.example.com" },
      messaging: { enabled: true },
      protection: true,
      tags: { CostCenter: "Operations", DataClassification: "confidential" },
    },
  },
};

/**
 * The namespaced flavor's example: a namespaced composite, no claim. Its own name, suffix, ranges
 * and hostname, so it runs beside the claim examples in the same namespace, account and zone.
 */
export const NAMESPACED_EXAMPLE: ExampleClaim = {
  name: "payments-v2",
  spec: {
    ...EXAMPLE_CLAIMS["warm-standby"].spec,
    environmentSuffix: "pay02",
    network: { cidr: "10.40.0.0/16", secondaryCidr: "10.41.0.0/16", availabilityZones: 3 },
    dns: { hostedZoneId: "Z0123456789EXAMPLE0PAY", zoneName: "payments.example.com", hostname: "api-v2.payments.example.com" },
  },
};

export function claimManifest(example: ExampleClaim, flavor: "cluster" | "namespaced" = "cluster") {
  return {
    apiVersion: `${flavor === "cluster" ? API_GROUP : NAMESPACED_API_GROUP}/${API_VERSION}`,
    kind: flavor === "cluster" ? CLAIM_KIND : NAMESPACED_KIND,
    metadata: { name: example.name, namespace: EXAMPLE_TEAM.namespace },
    spec: example.spec,
  };
}

export class ExampleClaimChart extends Chart {
  constructor(scope: Construct, id: string, example: ExampleClaim, flavor: "cluster" | "namespaced" = "cluster") {
    super(scope, id);
    // Throws ClaimValidationError naming the field: a broken example fails the synth.
    validateSpec(example.spec);
    new ApiObject(this, "claim", claimManifest(example, flavor));
  }
}

/** For `crossplane render`: the function runs locally (`npx tsx functions/src/main.ts --insecure`), not in a container. */
export class RenderFunctionsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    addModel(
      this,
      "function",
      new CrossplaneFunction({
        metadata: {
          name: FUNCTION_NAME,
          annotations: {
            "render.crossplane.io/runtime": "Development",
            "render.crossplane.io/runtime-development-target": "localhost:9443",
          },
        },
        spec: { package: `${FUNCTION_PACKAGE}:${PACKAGE_VERSION}` },
      }),
    );
  }
}
