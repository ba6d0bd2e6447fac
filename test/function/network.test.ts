import { network, subnetLogical, subnetTierSelector, zoneLetter, DATABASE_PORT } from "../../functions/src/blocks/network.js";
import { EXTERNAL_NAME } from "../../functions/src/scope.js";
import { subnetCidrs } from "../../src/regions.js";
import { BASE_SPEC, TWO_REGION_SPEC, observedWith, runBlock } from "../support/block-scope.js";

const fp = (resource: any) => resource.spec.forProvider;
const target = (selector: any) => selector?.matchLabels?.["dr.platform.io/resource"];
const GROUP_ARN = "arn:aws:logs:us-west-2:123456789012:log-group:/dr/stage-x/vpc-flow-logs";
const withGroup = { "primary-flow-logs-group": observedWith({ arn: `${GROUP_ARN}:*` }) };

describe("network block", () => {
  it("gives every tagged resource a Name that says its region, so the two regions' networks tell apart in the console", () => {
    for (const role of ["primary", "secondary"] as const) {
      const { out, scope } = runBlock(network, TWO_REGION_SPEC, { observed: withGroup, role });
      // A log group's Name is its own name, a path each region holds apart.
      const named = Object.entries(out).filter(([, r]: [string, any]) => fp(r).tags?.Name !== undefined && r.kind !== "Group");
      expect(named.map(([key]) => key)).toEqual(
        expect.arrayContaining(["vpc", "internet-gateway", "route-table-public", "route-table-private", "security-group-database"]),
      );
      for (const [key, resource] of named) expect([key, fp(resource).tags.Name]).toEqual([key, expect.stringContaining(scope.region.name)]);
    }
  });

  it("composes one VPC, two subnets and their route table associations per zone, the gateway, endpoints, the database group and flow logs, every model schema-valid", () => {
    const { out, models, scope } = runBlock(network, { ...BASE_SPEC, network: { availabilityZones: 3 } }, { observed: withGroup });
    const letters = scope.region.zones.map(zoneLetter);
    expect(letters).toHaveLength(3);
    expect(Object.keys(out).sort()).toEqual(
      [
        "vpc",
        "internet-gateway",
        "route-table-public",
        "route-table-private",
        ...letters.flatMap((z) => [
          `subnet-public-${z}`,
          `subnet-private-${z}`,
          `route-table-public-association-${z}`,
          `route-table-private-association-${z}`,
        ]),
        "route-public-default",
        "endpoint-s3",
        "endpoint-s3-private-routes",
        "endpoint-dynamodb",
        "endpoint-dynamodb-private-routes",
        "security-group-database",
        "flow-logs-group",
        "flow-logs-role",
        "flow-log",
        "flow-logs-role-policy",
      ].sort(),
    );
    for (const model of Object.values(models)) expect(() => model.validate()).not.toThrow();
    // IAM is global: roles and their policies take no region, everything else is the region's.
    for (const [name, r] of Object.entries<any>(out))
      expect({ name, region: fp(r).region }).toEqual({ name, region: ["Role", "RolePolicy"].includes(r.kind) ? undefined : "us-west-2" });
  });

  it("spans the region's CIDR with DNS on (endpoints and Aurora's endpoint names resolve only with both)", () => {
    const { out, scope } = runBlock(network, BASE_SPEC);
    expect(fp(out.vpc)).toMatchObject({ cidrBlock: scope.region.cidr, enableDnsHostnames: true, enableDnsSupport: true });
    expect(fp(out.vpc).tags.Name).toBe(scope.name("vpc", true));
  });

  it("gives each zone a public and a private subnet from fixed slots of the VPC, none mapping public IPs", () => {
    const { out, scope } = runBlock(network, { ...BASE_SPEC, network: { availabilityZones: 3 } });
    const slots = subnetCidrs(scope.region.cidr, 8);
    scope.region.zones.forEach((zone, i) => {
      for (const [tier, offset] of [
        ["public", 0],
        ["private", 4],
      ] as const) {
        const subnet = out[subnetLogical(tier, zone)];
        expect({ tier, zone, forProvider: fp(subnet) }).toEqual({
          tier,
          zone,
          forProvider: expect.objectContaining({ availabilityZone: zone, cidrBlock: slots[offset + i], mapPublicIpOnLaunch: false }),
        });
        // The database's subnet group selects subnets by this label (and the tag says which tier a subnet is in AWS).
        expect(subnet.metadata.labels["dr.platform.io/subnet-tier"]).toBe(tier);
        expect(fp(subnet).tags["dr.platform.io/subnet-tier"]).toBe(tier);
        expect(fp(subnet).tags.Name).toBe(scope.name(`${tier}-${zoneLetter(zone)}`, true));
        expect(target(fp(subnet).vpcIdSelector)).toBe("vpc");
        const association = fp(out[`route-table-${tier}-association-${zoneLetter(zone)}`]);
        expect([target(association.subnetIdSelector), target(association.routeTableIdSelector)]).toEqual([
          subnetLogical(tier, zone),
          `route-table-${tier}`,
        ]);
      }
    });
    expect(subnetLogical("private", "us-west-2b")).toBe("subnet-private-b");
  });

  it("routes only the public tier to the internet gateway, attached to the VPC", () => {
    const { out } = runBlock(network, BASE_SPEC);
    expect(target(fp(out["internet-gateway"]).vpcIdSelector)).toBe("vpc");
    const routes = Object.entries<any>(out).filter(([, r]) => r.kind === "Route");
    expect(routes.map(([name]) => name)).toEqual(["route-public-default"]);
    const route = fp(out["route-public-default"]);
    expect(route.destinationCidrBlock).toBe("0.0.0.0/0");
    expect([target(route.routeTableIdSelector), target(route.gatewayIdSelector)]).toEqual(["route-table-public", "internet-gateway"]);
    for (const table of ["route-table-public", "route-table-private"]) expect(target(fp(out[table]).vpcIdSelector)).toBe("vpc");
  });

  it("reaches S3 and DynamoDB from the private subnets through gateway endpoints of the region", () => {
    const { out } = runBlock(network, TWO_REGION_SPEC, { role: "secondary" });
    for (const service of ["s3", "dynamodb"]) {
      expect(fp(out[`endpoint-${service}`])).toMatchObject({
        vpcEndpointType: "Gateway",
        serviceName: `com.amazonaws.us-east-1.${service}`,
      });
      expect(target(fp(out[`endpoint-${service}`]).vpcIdSelector)).toBe("vpc");
      const association = fp(out[`endpoint-${service}-private-routes`]);
      expect([target(association.vpcEndpointIdSelector), target(association.routeTableIdSelector)]).toEqual([
        `endpoint-${service}`,
        "route-table-private",
      ]);
      expect(association.routeTableIdSelector.matchLabels["dr.platform.io/region-role"]).toBe("secondary");
    }
  });

  it("gives the database a group in the VPC that admits nothing, named per claim, its description fixed", () => {
    const { out, scope } = runBlock(network, BASE_SPEC);
    const group = fp(out["security-group-database"]);
    expect(group.name).toBe(scope.name("database", true));
    expect(target(group.vpcIdSelector)).toBe("vpc");
    // AWS cannot change a group's description in place: changing it replaces the group under the cluster.
    expect(group.description).toBe("Aurora cluster of the DR environment: PostgreSQL from the Lambda group only");
    expect(group.ingress).toBeUndefined();
    expect(Object.values<any>(out).filter((r) => /SecurityGroup.*Rule/.test(r.kind))).toEqual([]);
    expect(DATABASE_PORT).toBe(5432);
  });

  it("logs all traffic of the VPC each minute to its own log group, kept 90 days, through a role only VPC Flow Logs assumes", () => {
    const { out, scope } = runBlock(network, BASE_SPEC, { observed: withGroup });
    const groupName = `/dr/${scope.path}/vpc-flow-logs`;
    expect(out["flow-logs-group"].metadata.annotations[EXTERNAL_NAME]).toBe(groupName);
    expect(fp(out["flow-logs-group"])).toMatchObject({ retentionInDays: 90, tags: expect.objectContaining({ Name: groupName }) });
    const roleName = scope.name("flow-logs", true);
    expect(out["flow-logs-role"].metadata.annotations[EXTERNAL_NAME]).toBe(roleName);
    expect(JSON.parse(fp(out["flow-logs-role"]).assumeRolePolicy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const log = fp(out["flow-log"]);
    expect(log).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs", maxAggregationInterval: 60 });
    expect([target(log.vpcIdSelector), target(log.logDestinationSelector), target(log.iamRoleArnSelector)]).toEqual([
      "vpc",
      "flow-logs-group",
      "flow-logs-role",
    ]);
    expect(log.tags.Name).toBe(scope.name("flow-log", true));
  });

  it("lets the flow logs role write only to its group, once AWS reports the group's ARN", () => {
    const waiting = runBlock(network, BASE_SPEC);
    expect(waiting.out["flow-logs-role-policy"]).toBeUndefined();
    expect(waiting.pending).toEqual([{ resource: "primary-flow-logs-role-policy", reason: "waits for arn of primary-flow-logs-group" }]);
    const { out, scope, pending } = runBlock(network, BASE_SPEC, { observed: withGroup });
    expect(pending).toEqual([]);
    const policy = out["flow-logs-role-policy"];
    // The provider names an inline policy by its external name; the role's name keeps it per claim.
    expect(policy.metadata.annotations[EXTERNAL_NAME]).toBe(scope.name("flow-logs", true));
    expect(target(fp(policy).roleSelector)).toBe("flow-logs-role");
    expect(JSON.parse(fp(policy).policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [`${GROUP_ARN}:*`, `${GROUP_ARN}:log-stream:*`],
        },
      ],
    });
  });

  it("selects a region's subnets of one tier by role and tier label, within this composite", () => {
    const { scope } = runBlock(network, TWO_REGION_SPEC, { role: "secondary" });
    expect(subnetTierSelector(scope, "public")).toEqual({
      matchControllerRef: true,
      matchLabels: { "dr.platform.io/region-role": "secondary", "dr.platform.io/subnet-tier": "public" },
    });
  });

  it("tags every resource that takes tags with the environment and its region role", () => {
    const { out } = runBlock(network, TWO_REGION_SPEC, { role: "secondary", observed: {} });
    for (const [name, r] of Object.entries<any>(out)) {
      if (["RouteTableAssociation", "Route", "VPCEndpointRouteTableAssociation"].includes(r.kind)) continue;
      expect({ name, tags: fp(r).tags }).toEqual({
        name,
        tags: expect.objectContaining({ "dr.platform.io/environment": "stage", "dr.platform.io/region-role": "secondary" }),
      });
    }
  });
});
