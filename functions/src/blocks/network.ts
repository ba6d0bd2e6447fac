/**
 * Network: a VPC over the region's zones with a public and a private subnet in each, an internet
 * gateway for the public tier only, gateway endpoints so what runs in the private subnets reaches
 * S3 and DynamoDB without a NAT, the database's security group, and flow logs. The Lambda handlers
 * run outside the VPC (see compute.ts): nothing of the composition connects to the database, so
 * its group admits nothing; a team's own client in the VPC brings its group and one ingress rule.
 */
import { VPC } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/VPC";
import { Subnet } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/Subnet";
import { InternetGateway } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/InternetGateway";
import { RouteTable } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/RouteTable";
import { Route } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta2/Route";
import { RouteTableAssociation } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/RouteTableAssociation";
import { VPCEndpoint } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta2/VPCEndpoint";
import { VPCEndpointRouteTableAssociation } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/VPCEndpointRouteTableAssociation";
import { SecurityGroup } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta1/SecurityGroup";
import { FlowLog } from "@crossplane-models/provider-upjet-aws/ec2.aws.upbound.io/v1beta2/FlowLog";
import { Group as LogGroup } from "@crossplane-models/provider-upjet-aws/cloudwatchlogs.aws.upbound.io/v1beta1/Group";
import { Role } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/Role";
import { RolePolicy } from "@crossplane-models/provider-upjet-aws/iam.aws.upbound.io/v1beta1/RolePolicy";
import { subnetCidrs } from "../../../src/regions.js";
import type { ManagedResource } from "../block.js";
import { LABELS, type RegionScope, type Selector } from "../scope.js";
import { assumeRolePolicy, policyDocument } from "./iam.js";
import { LOGICAL } from "./names.js";

/** Subnet tiers; `offset` is the first of the VPC's eight slots a tier uses, so zone i keeps its range. */
const SUBNET_TIERS = [
  { tier: "public", offset: 0 },
  { tier: "private", offset: 4 },
] as const;

/** Gateway endpoints (free) for the regional services that clients in the private subnets call. */
export const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;

export const DATABASE_PORT = 5432;
export const FLOW_LOG_RETENTION_DAYS = 90;

/** Label on every subnet, so one selector can match all subnets of a tier in a region (the DB subnet group). */
export const SUBNET_TIER_LABEL = "dr.platform.io/subnet-tier";

export function subnetTierSelector(scope: RegionScope, tier: "public" | "private"): Selector {
  return { matchControllerRef: true, matchLabels: { [LABELS.regionRole]: scope.region.role, [SUBNET_TIER_LABEL]: tier } };
}

export function zoneLetter(zone: string): string {
  return zone.slice(-1);
}

export function subnetLogical(tier: "public" | "private", zone: string): string {
  return `subnet-${tier}-${zoneLetter(zone)}`;
}

export function network(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const vpcName = scope.name("vpc", true);
  const out: Record<string, ManagedResource> = {};
  const vpcIdSelector = scope.select(LOGICAL.vpc);

  out[LOGICAL.vpc] = new VPC({
    spec: {
      forProvider: { region, cidrBlock: scope.region.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: scope.tags(vpcName) },
    },
  });
  out["internet-gateway"] = new InternetGateway({
    spec: { forProvider: { region, vpcIdSelector, tags: scope.tags(scope.name("igw", true)) } },
  });

  const slots = subnetCidrs(scope.region.cidr, 8);
  for (const { tier, offset } of SUBNET_TIERS) {
    const table = `route-table-${tier}`;
    out[table] = new RouteTable({
      spec: { forProvider: { region, vpcIdSelector, tags: scope.tags(scope.name(`rt-${tier}`, true)) } },
    });
    scope.region.zones.forEach((zone, i) => {
      const subnet = subnetLogical(tier, zone);
      out[subnet] = new Subnet({
        metadata: { labels: { [SUBNET_TIER_LABEL]: tier } },
        spec: {
          forProvider: {
            region,
            vpcIdSelector,
            availabilityZone: zone,
            cidrBlock: slots[offset + i],
            mapPublicIpOnLaunch: false,
            tags: { ...scope.tags(scope.name(`${tier}-${zoneLetter(zone)}`, true)), [SUBNET_TIER_LABEL]: tier },
          },
        },
      });
      out[`${table}-association-${zoneLetter(zone)}`] = new RouteTableAssociation({
        spec: { forProvider: { region, subnetIdSelector: scope.select(subnet), routeTableIdSelector: scope.select(table) } },
      });
    });
  }
  out["route-public-default"] = new Route({
    spec: {
      forProvider: {
        region,
        destinationCidrBlock: "0.0.0.0/0",
        routeTableIdSelector: scope.select("route-table-public"),
        gatewayIdSelector: scope.select("internet-gateway"),
      },
    },
  });

  for (const service of GATEWAY_ENDPOINTS) {
    const endpoint = `endpoint-${service}`;
    out[endpoint] = new VPCEndpoint({
      spec: {
        forProvider: {
          region,
          vpcIdSelector,
          vpcEndpointType: "Gateway",
          serviceName: `com.amazonaws.${region}.${service}`,
          tags: scope.tags(scope.name(`${service}-endpoint`, true)),
        },
      },
    });
    out[`${endpoint}-private-routes`] = new VPCEndpointRouteTableAssociation({
      spec: {
        forProvider: { region, vpcEndpointIdSelector: scope.select(endpoint), routeTableIdSelector: scope.select("route-table-private") },
      },
    });
  }

  out["security-group-database"] = new SecurityGroup({
    spec: {
      forProvider: {
        region,
        vpcIdSelector,
        name: scope.name("database", true),
        // AWS cannot change a group's description in place: a new one would replace the cluster's group.
        description: "Aurora cluster of the DR environment: PostgreSQL from the Lambda group only",
        tags: scope.tags(scope.name("database", true)),
      },
    },
  });

  Object.assign(out, flowLogs(scope));
  return out;
}

/** VPC flow logs (all traffic) into a CloudWatch log group, delivered with a role scoped to that group. */
function flowLogs(scope: RegionScope): Record<string, ManagedResource> {
  const region = scope.region.name;
  const groupName = `/dr/${scope.path}/vpc-flow-logs`;
  const roleName = scope.name("flow-logs", true);
  const out: Record<string, ManagedResource> = {
    "flow-logs-group": new LogGroup({
      metadata: scope.externalName(groupName),
      spec: { forProvider: { region, retentionInDays: FLOW_LOG_RETENTION_DAYS, tags: scope.tags(groupName) } },
    }),
    "flow-logs-role": new Role({
      metadata: scope.externalName(roleName),
      spec: { forProvider: { assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com"), tags: scope.tags(roleName) } },
    }),
    "flow-log": new FlowLog({
      spec: {
        forProvider: {
          region,
          vpcIdSelector: scope.select(LOGICAL.vpc),
          trafficType: "ALL",
          logDestinationType: "cloud-watch-logs",
          logDestinationSelector: scope.select("flow-logs-group"),
          iamRoleArnSelector: scope.select("flow-logs-role"),
          maxAggregationInterval: 60,
          tags: scope.tags(scope.name("flow-log", true)),
        },
      },
    }),
  };
  const groupArn = scope.atProvider("flow-logs-group", "arn", "flow-logs-role-policy");
  if (groupArn) {
    out["flow-logs-role-policy"] = new RolePolicy({
      // The provider names an inline policy by its external name (`<role>:<name>` is its id).
      metadata: scope.externalName(roleName),
      spec: {
        forProvider: {
          roleSelector: scope.select("flow-logs-role"),
          policy: policyDocument([
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [groupArn, `${groupArn.replace(/:\*$/, "")}:log-stream:*`],
            },
          ]),
        },
      },
    });
  }
  return out;
}
