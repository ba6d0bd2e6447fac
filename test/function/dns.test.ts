/**
 * The failover endpoint, judged on settled renders (every resource emitted once AWS has answered)
 * of both DR tiers with and without the team's DNS: the rules AWS applies to certificates, custom
 * domains and alias records, checked as assertions on the resources and the values observed.
 */
import { RunFunctionResponse, Severity } from "@crossplane-org/function-sdk-typescript";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { render, type Claim } from "../../functions/src/render.js";
import type { ObservedResource } from "../../functions/src/environment.js";
import { LABELS } from "../../functions/src/scope.js";
import { externalName, forProvider, selects, settle, type Manifest, type Resources } from "../../tools/policy/index.js";
import { CASES_DIR, readYaml } from "../support/golden.js";

type Json = Record<string, any>;
const claimOf = (name: string) => readYaml<Claim>(join(CASES_DIR, name, "claim.yaml"));
const role = (r: Manifest) => r.metadata?.labels?.[LABELS.regionRole];
const logical = (r: Manifest) => r.metadata?.labels?.[LABELS.resource];
const ofKind = (res: Resources, kind: string) => Object.values(res).filter((r) => r.kind === kind);
/** The one resource `selector` selects; fails unless exactly one does, since the provider resolves one. */
function selected(res: Resources, selector: unknown, kind: string): Manifest {
  const found = ofKind(res, kind).filter((r) => selects(selector, r));
  expect({ kind, matches: found.length }).toEqual({ kind, matches: 1 });
  return found[0];
}
const observedOf = (observed: Record<string, ObservedResource>, r: Manifest): Json => {
  const entry = Object.entries(observed).find(
    ([, o]) => o.metadata?.labels?.[LABELS.resource] === logical(r) && o.metadata?.labels?.[LABELS.regionRole] === role(r),
  );
  return (entry?.[1].status?.atProvider ?? {}) as Json;
};

interface Settled {
  claim: Claim;
  resources: Resources;
  observed: Record<string, ObservedResource>;
  status: Json;
}

async function settled(claim: Claim): Promise<Settled> {
  const { resources, observed, fatal } = await settle(claim);
  expect(fatal).toBeUndefined();
  const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as Json;
  return { claim, resources, observed, status: rsp.desired.composite.resource.status };
}

const WITH_DNS = ["pilot-light-team-dns", "warm-standby"];
const WITHOUT_DNS = ["pilot-light", "warm-standby-without-dns"];
const rendered: Record<string, Settled> = {};
beforeAll(async () => {
  for (const name of [...WITH_DNS, ...WITHOUT_DNS]) rendered[name] = await settled(claimOf(name));
}, 120_000);

describe.each([...WITH_DNS, ...WITHOUT_DNS])("settled case %s", (name) => {
  it("creates no hosted zone and no CNAME onto an execute-api host", () => {
    const { resources } = rendered[name];
    for (const zone of ofKind(resources, "Zone")) expect(zone.spec?.managementPolicies).toEqual(["Observe"]);
    for (const record of ofKind(resources, "Record")) {
      const fp = forProvider(record);
      const onto = [...(fp.records ?? []), ...(fp.alias ? [fp.alias.name] : [])];
      expect({ record: logical(record), cname: fp.type === "CNAME" && onto.some((t: string) => t.includes(".execute-api.")) }).toEqual({
        record: logical(record),
        cname: false,
      });
    }
  });

  it("keeps a health check per region on its own execute-api /<stage>/health", () => {
    const { resources, observed } = rendered[name];
    const checks = ofKind(resources, "HealthCheck");
    expect(checks.map(role).sort()).toEqual(["primary", "secondary"]);
    for (const check of checks) {
      const api = ofKind(resources, "RestAPI").find((r) => role(r) === role(check))!;
      const stage = ofKind(resources, "Stage").find((r) => role(r) === role(check))!;
      expect(forProvider(check)).toMatchObject({
        type: "HTTPS",
        fqdn: `${observedOf(observed, api).id}.execute-api.${forProvider(api).region}.amazonaws.com`,
        resourcePath: `/${forProvider(stage).stageName}/health`,
        // API Gateway serves execute-api hosts only to clients that send SNI: without it every
        // check's TLS handshake fails and the region reads unhealthy for good.
        enableSni: true,
        // Latency measurement can only be chosen when the check is created.
        measureLatency: true,
      });
    }
  });
});

describe.each(WITH_DNS)("settled case %s with the team's DNS", (name) => {
  const dns = () => (rendered[name].claim.spec as Json).dns as { hostedZoneId: string; zoneName: string; hostname: string };
  const regions = () => {
    const { resources } = rendered[name];
    return ["primary", "secondary"].map((r) => ({
      role: r,
      region: forProvider(ofKind(resources, "RestAPI").find((x) => role(x) === r)!).region as string,
    }));
  };

  it("references the team's zone by its id and never manages it", () => {
    const zones = ofKind(rendered[name].resources, "Zone");
    expect(zones).toHaveLength(1);
    expect(externalName(zones[0])).toBe(dns().hostedZoneId);
    expect(zones[0].spec).toMatchObject({ managementPolicies: ["Observe"], deletionPolicy: "Orphan", forProvider: {} });
  });

  it("gives each region a certificate for the hostname in the region of its regional custom domain", () => {
    const { resources } = rendered[name];
    for (const { role: r, region } of regions()) {
      const domain = ofKind(resources, "DomainName").find((x) => role(x) === r)!;
      expect(forProvider(domain)).toMatchObject({ region, domainName: dns().hostname, endpointConfiguration: { types: ["REGIONAL"] } });
      const validation = selected(resources, forProvider(domain).regionalCertificateArnSelector, "CertificateValidation");
      const certificate = selected(resources, forProvider(validation).certificateArnSelector, "Certificate");
      expect([forProvider(validation).region, forProvider(certificate).region]).toEqual([region, region]);
      expect(forProvider(certificate)).toMatchObject({ domainName: dns().hostname, validationMethod: "DNS" });
      expect(forProvider(certificate).subjectAlternativeNames).toBeUndefined();
    }
  });

  it("validates each certificate through the record ACM asked for, in the named zone", () => {
    const { resources, observed } = rendered[name];
    const zone = ofKind(resources, "Zone")[0];
    for (const validation of ofKind(resources, "CertificateValidation")) {
      const certificate = selected(resources, forProvider(validation).certificateArnSelector, "Certificate");
      const [asked] = observedOf(observed, certificate).domainValidationOptions as Json[];
      const records = ofKind(resources, "Record").filter((r) => forProvider(r).name === asked.resourceRecordName);
      expect(records).toHaveLength(1);
      expect(forProvider(records[0])).toMatchObject({ type: asked.resourceRecordType, records: [asked.resourceRecordValue] });
      expect(selects(forProvider(records[0]).zoneIdSelector, zone)).toBe(true);
      expect(forProvider(validation).validationRecordFqdns).toEqual([observedOf(observed, records[0]).fqdn]);
    }
  });

  it("maps each region's custom domain to that region's stage at its root", () => {
    const { resources } = rendered[name];
    for (const { role: r, region } of regions()) {
      const mapping = ofKind(resources, "BasePathMapping").find((x) => role(x) === r)!;
      expect(forProvider(mapping).region).toBe(region);
      expect(forProvider(mapping).basePath).toBeUndefined();
      expect(role(selected(resources, forProvider(mapping).apiIdSelector, "RestAPI"))).toBe(r);
      expect(role(selected(resources, forProvider(mapping).stageNameSelector, "Stage"))).toBe(r);
      expect(role(selected(resources, forProvider(mapping).domainNameSelector, "DomainName"))).toBe(r);
    }
  });

  it("points each failover alias at its region's regional domain name and zone id, with its own region's health check", () => {
    const { resources, observed } = rendered[name];
    const failover = ofKind(resources, "Record").filter((r) => forProvider(r).failoverRoutingPolicy);
    expect(failover.map(role).sort()).toEqual(["primary", "secondary"]);
    for (const record of failover) {
      const domain = ofKind(resources, "DomainName").find((x) => role(x) === role(record))!;
      const reported = observedOf(observed, domain);
      expect(forProvider(record)).toMatchObject({
        name: dns().hostname,
        type: "A",
        // The record's own health check decides; a regional API has no target health to add.
        alias: { name: reported.regionalDomainName, zoneId: reported.regionalZoneId, evaluateTargetHealth: false },
        setIdentifier: role(record),
      });
      expect(forProvider(record).ttl).toBeUndefined();
      expect(forProvider(record).records).toBeUndefined();
      expect(selects(forProvider(record).zoneIdSelector, ofKind(resources, "Zone")[0])).toBe(true);
      expect(role(selected(resources, forProvider(record).healthCheckIdSelector, "HealthCheck"))).toBe(role(record));
    }
  });

  it("reports the failover URL and counts the alias TTL in the RTO", () => {
    const { status } = rendered[name];
    expect(status).toMatchObject({ failoverDomain: dns().hostname, failoverUrl: `https://${dns().hostname}` });
    expect(status.recovery.terms.map((t: Json) => t.name)).toContain("DNS resolvers follow the failover alias record (alias TTL)");
  });

  it("swaps PRIMARY and SECONDARY when activeRegion is secondary", async () => {
    const claim = structuredClone(rendered[name].claim) as Json;
    claim.spec.failover = { ...claim.spec.failover, activeRegion: "secondary" };
    const after = await settled(claim as Claim);
    const types = (s: Settled) =>
      Object.fromEntries(
        ofKind(s.resources, "Record")
          .filter((r) => forProvider(r).failoverRoutingPolicy)
          .map((r) => [role(r), forProvider(r).failoverRoutingPolicy.type]),
      );
    expect(types(rendered[name])).toEqual({ primary: "PRIMARY", secondary: "SECONDARY" });
    expect(types(after)).toEqual({ primary: "SECONDARY", secondary: "PRIMARY" });
  });
});

describe.each(WITHOUT_DNS)("settled case %s without DNS", (name) => {
  it("composes no zone, record, certificate or custom domain", () => {
    const kinds = new Set(Object.values(rendered[name].resources).map((r) => r.kind));
    for (const kind of ["Zone", "Record", "Certificate", "CertificateValidation", "DomainName", "BasePathMapping"])
      expect(kinds.has(kind)).toBe(false);
  });

  it("says clients switch between the per-region URLs, and the RTO counts it", () => {
    const { status } = rendered[name];
    expect(status.failoverUrl).toBeUndefined();
    expect(status.failoverDomain).toBeUndefined();
    expect(status.clientFailover).toMatch(/clients switch between status\.primary\.apiUrl and status\.secondary\.apiUrl/);
    expect([status.primary.region, status.secondary.region].every(Boolean)).toBe(true);
    expect(status.recovery.terms.map((t: Json) => t.name)).toContain(
      "clients are re-pointed at the surviving region's URL (no failover hostname)",
    );
  });
});

describe("the team's zone as observed", () => {
  const FATAL = Severity[Severity.SEVERITY_FATAL];
  const fatalOf = async (claim: Claim, observed: Record<string, ObservedResource>) => {
    const rsp = RunFunctionResponse.toJSON(await render(claim, observed)) as Json;
    return { fatal: (rsp.results as Json[]).filter((r) => r.severity === FATAL).map((r) => r.message), desired: rsp.desired?.resources };
  };
  const withZone = (atProvider: Json) => {
    const { observed } = rendered["warm-standby"];
    const zone = observed["primary-team-zone"];
    return {
      ...observed,
      "primary-team-zone": { ...zone, status: { ...zone.status, atProvider: { ...zone.status?.atProvider, ...atProvider } } },
    };
  };

  it("is refused when private, naming spec.dns.hostedZoneId, and the desired state is left alone", async () => {
    const { fatal, desired } = await fatalOf(
      claimOf("warm-standby"),
      withZone({ vpc: [{ vpcId: "vpc-0a1b2c3d", vpcRegion: "us-east-1" }] }),
    );
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/spec\.dns\.hostedZoneId: .* is private/);
    expect(desired ?? {}).toEqual({});
  });

  it("is refused when it has another name than spec.dns.zoneName", async () => {
    const { fatal } = await fatalOf(claimOf("warm-standby"), withZone({ name: "other.example.com." }));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(
      /spec\.dns\.zoneName is payments\.example\.com, but hosted zone Z0123456789EXAMPLE0PAY .* is other\.example\.com/,
    );
  });

  it("is accepted with Route 53's trailing dot", async () => {
    const { fatal } = await fatalOf(claimOf("warm-standby"), withZone({ name: "payments.example.com." }));
    expect(fatal).toEqual([]);
  });

  it("gets no record written into it before it is observed", async () => {
    const { observed } = rendered["warm-standby"];
    const unobserved = { ...observed, "primary-team-zone": { ...observed["primary-team-zone"], status: {} } };
    const rsp = RunFunctionResponse.toJSON(await render(claimOf("warm-standby"), unobserved)) as Json;
    const pending: string[] = rsp.desired.composite.resource.status.pending;
    expect(pending).toEqual(expect.arrayContaining(["primary-failover-alias waits for name of primary-team-zone"]));
    expect(Object.keys(rsp.desired.resources).filter((key) => key.endsWith("failover-alias"))).toEqual([]);
  });

  it("is accepted when public, as the provider reports it: an empty VPC list", async () => {
    const { fatal, desired } = await fatalOf(claimOf("warm-standby"), withZone({ vpc: [] }));
    expect(fatal).toEqual([]);
    expect(Object.keys(desired ?? {})).toEqual(expect.arrayContaining(["primary-failover-alias", "secondary-failover-alias"]));
  });

  it("gets no failover alias while the custom domain's regional name or zone id is unknown", async () => {
    const { observed } = rendered["warm-standby"];
    for (const missing of ["regionalDomainName", "regionalZoneId"]) {
      const domain = observed["primary-domain-name"];
      const atProvider = { ...domain.status?.atProvider };
      delete atProvider[missing];
      const partial = { ...observed, "primary-domain-name": { ...domain, status: { ...domain.status, atProvider } } };
      const rsp = RunFunctionResponse.toJSON(await render(claimOf("warm-standby"), partial)) as Json;
      expect([missing, Object.keys(rsp.desired.resources).filter((key) => key.endsWith("failover-alias"))]).toEqual([
        missing,
        ["secondary-failover-alias"],
      ]);
    }
  });
});

describe("bad DNS input", () => {
  it.each([
    ["hostname outside the zone", { hostname: "api.payments.example.net" }, "spec.dns.hostname must be a name under spec.dns.zoneName"],
    ["wildcard", { hostname: "*.payments.example.com" }, "spec.dns.hostname must not be a wildcard"],
    ["apex", { hostname: "payments.example.com" }, "spec.dns.hostname must not be the apex of spec.dns.zoneName"],
  ])("is refused with a Fatal naming the field: %s", async (_label, patch, message) => {
    const claim = structuredClone(claimOf("warm-standby")) as Json;
    claim.spec.dns = { ...claim.spec.dns, ...patch };
    const rsp = RunFunctionResponse.toJSON(await render(claim as Claim)) as Json;
    const fatal = (rsp.results as Json[]).filter((r) => r.severity === Severity[Severity.SEVERITY_FATAL]);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toContain(message);
    expect(rsp.desired?.resources ?? {}).toEqual({});
  });
});

/**
 * What each selector of the failover endpoint resolves to, as the provider's CRDs say in the
 * field's description ("Selector for a CertificateValidation in acm to populate ..."), at the
 * version emitted, in both releases: the sibling it selects must be of that kind and group.
 */
const CRDS = fileURLToPath(new URL("../../../shared/provider-crds", import.meta.url));
const ENDPOINT_KINDS = ["Zone", "Certificate", "CertificateValidation", "DomainName", "BasePathMapping", "Record"];

interface Crd {
  spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: Json } }> };
}
const crdCache = new Map<string, Crd | undefined>();
function crdOf(release: string, group: string, kind: string): Crd | undefined {
  const key = `${release}/${group}/${kind}`;
  if (!crdCache.has(key)) {
    const dir = join(CRDS, release);
    const file = readdirSync(dir).find(
      (f) => f.startsWith(`${group}_`) && (parse(readFileSync(join(dir, f), "utf8")) as Crd).spec.names.kind === kind,
    );
    crdCache.set(key, file ? (parse(readFileSync(join(dir, file), "utf8")) as Crd) : undefined);
  }
  return crdCache.get(key);
}

/** Every `*Selector` in a forProvider value, with the path of its schema node. */
function selectorsIn(
  value: unknown,
  schema: Json | undefined,
  path: string,
): Array<{ path: string; selector: unknown; description?: string }> {
  if (!value || typeof value !== "object" || !schema) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => selectorsIn(v, schema.items, `${path}[${i}]`));
  return Object.entries(value).flatMap(([k, v]) => {
    const child = schema.properties?.[k];
    if (k.endsWith("Selector")) return [{ path: `${path}.${k}`, selector: v, description: child?.description as string | undefined }];
    return selectorsIn(v, child, `${path}.${k}`);
  });
}

(existsSync(CRDS) ? describe : describe.skip).each(["v2.2.0", "v2.6.0"])(
  "selectors of the failover endpoint, by provider %s's CRDs",
  (release) => {
    it.each(WITH_DNS)("resolve to a sibling of the kind the provider resolves them to, in case %s", (name) => {
      const { resources } = rendered[name];
      const checked: string[] = [];
      const problems: string[] = [];
      for (const [key, r] of Object.entries(resources).filter(([, m]) => ENDPOINT_KINDS.includes(m.kind))) {
        const [group, version] = r.apiVersion.split("/");
        const crd = crdOf(release, group, r.kind);
        const served = crd?.spec.versions.find((v) => v.name === version);
        if (!served) {
          problems.push(`${key}: ${release} does not serve ${r.apiVersion} ${r.kind}`);
          continue;
        }
        const schema = served.schema.openAPIV3Schema.properties.spec.properties.forProvider;
        for (const { path, selector, description } of selectorsIn(forProvider(r), schema, "spec.forProvider")) {
          const target = /^Selector for a (?:list of )?(\w+) in (\w+) to populate/.exec(description ?? "");
          if (!target) {
            problems.push(`${key} ${path}: the CRD names no target kind`);
            continue;
          }
          const [, kind, service] = target;
          const matches = Object.values(resources).filter((m) => selects(selector, m));
          const wrong = matches.filter((m) => m.kind !== kind || m.apiVersion.split(".")[0] !== service);
          if (matches.length !== 1 || wrong.length > 0)
            problems.push(
              `${key} ${path}: selects ${matches.map((m) => `${m.apiVersion.split(".")[0]} ${m.kind}`).join(", ") || "nothing"}, the provider resolves ${service} ${kind}`,
            );
          checked.push(`${r.kind} ${path.replace(/\[\d+\]/g, "[]")} -> ${kind}`);
        }
      }
      expect(problems).toEqual([]);
      expect([...new Set(checked)].sort()).toEqual([
        "BasePathMapping spec.forProvider.apiIdSelector -> RestAPI",
        "BasePathMapping spec.forProvider.domainNameSelector -> DomainName",
        "BasePathMapping spec.forProvider.stageNameSelector -> Stage",
        "CertificateValidation spec.forProvider.certificateArnSelector -> Certificate",
        "DomainName spec.forProvider.regionalCertificateArnSelector -> CertificateValidation",
        "Record spec.forProvider.healthCheckIdSelector -> HealthCheck",
        "Record spec.forProvider.zoneIdSelector -> Zone",
      ]);
    });
  },
);
