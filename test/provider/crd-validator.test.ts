/**
 * The provider CRD validator (test/support/provider-crd-validator.ts) reports what the API server
 * would refuse or drop: shown on a small CRD written here (always), and on the provider's real
 * CRDs, cluster-scoped and `.m.` namespaced (when ../shared/provider-crds is present).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { providerCrdsPresent, validateAgainstCrd } from "../support/provider-crd-validator.js";

const GROUP = "demo.aws.upbound.io";
const required = (field: string) => ({
  message: `spec.forProvider.${field} is a required parameter`,
  rule: `!('*' in self.managementPolicies || 'Create' in self.managementPolicies || 'Update' in self.managementPolicies) || has(self.forProvider.${field}) || (has(self.initProvider) && has(self.initProvider.${field}))`,
});
const parameters = {
  type: "object",
  properties: {
    name: { type: "string" },
    size: { type: "number" },
    tags: { type: "object", additionalProperties: { type: "string" }, "x-kubernetes-map-type": "granular" },
    zones: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    document: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  },
};
const version = (name: string, flags: Record<string, unknown>) => ({
  name,
  ...flags,
  schema: {
    openAPIV3Schema: {
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        spec: {
          type: "object",
          required: ["forProvider"],
          properties: {
            forProvider: parameters,
            initProvider: parameters,
            managementPolicies: {
              type: "array",
              default: ["*"],
              items: { type: "string", enum: ["Observe", "Create", "Update", "Delete", "LateInitialize", "*"] },
            },
          },
          "x-kubernetes-validations": [required("name")],
        },
      },
    },
  },
});
const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    names: { kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget" },
    scope: "Cluster",
    versions: [version("v1beta1", { served: true, storage: false, deprecated: true }), version("v1beta2", { served: true, storage: true })],
  },
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "crds-"));
  mkdirSync(join(root, "v0.1.0"));
  writeFileSync(join(root, "v0.1.0", `${GROUP}_widgets.yaml`), stringify(crd));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const widget = (forProvider: Record<string, unknown>, spec: Record<string, unknown> = {}, apiVersion = `${GROUP}/v1beta2`) => ({
  apiVersion,
  kind: "Widget",
  metadata: { name: "w", labels: { any: "label" } },
  spec: { forProvider, ...spec },
});
const check = (resource: ReturnType<typeof widget>) => validateAgainstCrd(resource, "v0.1.0", root);

describe("the validator on a CRD written here", () => {
  it("accepts a resource the schema lists in full, whatever its metadata and preserved fields", () => {
    expect(check(widget({ name: "a", size: 2, tags: { team: "x" }, zones: ["a", "b"], document: { any: { nested: [1] } } }))).toEqual([]);
  });

  it("reports a pruned field, a wrong type, a failing CEL rule after defaults and a duplicate in a set", () => {
    expect(check(widget({ size: "2", colour: "red", tags: { team: 1 }, zones: ["a", "a"] }))).toEqual([
      "v0.1.0 demo.aws.upbound.io/v1beta2 Widget: spec.forProvider.colour: not in the schema, the API server would prune it",
      "v0.1.0 demo.aws.upbound.io/v1beta2 Widget: spec.forProvider.size: must be number",
      "v0.1.0 demo.aws.upbound.io/v1beta2 Widget: spec.forProvider.tags.team: must be string",
      "v0.1.0 demo.aws.upbound.io/v1beta2 Widget: spec.forProvider.zones[1]: duplicate of item 0 in a list of type set",
      "v0.1.0 demo.aws.upbound.io/v1beta2 Widget: spec: spec.forProvider.name is a required parameter (CEL rule)",
    ]);
  });

  it("evaluates CEL after defaults: an observe-only resource needs no parameter, initProvider fills one", () => {
    expect(check(widget({}, { managementPolicies: ["Observe"] }))).toEqual([]);
    expect(check(widget({}, { initProvider: { name: "a" } }))).toEqual([]);
  });

  it("reports a deprecated version, an unserved version and a kind the release lacks", () => {
    expect(check(widget({ name: "a" }, {}, `${GROUP}/v1beta1`))).toEqual([
      "v0.1.0 demo.aws.upbound.io/v1beta1 Widget: v1beta1 is deprecated by provider v0.1.0",
    ]);
    expect(check(widget({ name: "a" }, {}, `${GROUP}/v1`))).toEqual([
      "v0.1.0 demo.aws.upbound.io/v1 Widget: v1 is not served by provider v0.1.0 (it serves v1beta1, v1beta2)",
    ]);
    expect(check({ ...widget({}), kind: "Gadget" })).toEqual([
      "v0.1.0 demo.aws.upbound.io/v1beta2 Gadget: provider v0.1.0 has no CRD for demo.aws.upbound.io/Gadget",
    ]);
  });

  it("throws, naming the folder, for a release it does not have", () => {
    expect(() => validateAgainstCrd(widget({ name: "a" }), "v9.9.9", root)).toThrow(/v9\.9\.9 is missing/);
  });
});

(providerCrdsPresent() ? describe : describe.skip)("the validator on the provider's real CRDs", () => {
  const cluster = (group: string) => `${group}.aws.upbound.io`;
  const namespaced = (group: string) => `${group}.aws.m.upbound.io`;

  it.each([
    ["cluster-scoped", cluster],
    ["namespaced", namespaced],
  ])("finds the %s kind and judges it by its real schema and CEL rules", (_, groupOf) => {
    const subscription = {
      apiVersion: `${groupOf("sns")}/v1beta1`,
      kind: "TopicSubscription",
      metadata: { name: "s" },
      spec: {
        forProvider: {
          region: "us-east-1",
          protocol: "email",
          endpoint: "ops@example.com",
          topicArn: "arn:aws:sns:us-east-1:123456789012:t",
        },
      },
    };
    expect(validateAgainstCrd(subscription, "v2.2.0")).toEqual([]);
    expect(validateAgainstCrd(subscription, "v2.6.0")).toEqual([]);
    const { protocol, ...withoutProtocol } = subscription.spec.forProvider;
    expect(protocol).toBe("email");
    const broken = { ...subscription, spec: { forProvider: { ...withoutProtocol, rawMessageDelivery: "yes", topicName: "t" } } };
    const where = `v2.6.0 ${groupOf("sns")}/v1beta1 TopicSubscription`;
    expect(validateAgainstCrd(broken, "v2.6.0")).toEqual([
      `${where}: spec.forProvider.topicName: not in the schema, the API server would prune it`,
      `${where}: spec.forProvider.rawMessageDelivery: must be boolean`,
      `${where}: spec: spec.forProvider.protocol is a required parameter (CEL rule)`,
    ]);
  });

  it("reports a version v2.6.0 deprecates", () => {
    const table = {
      apiVersion: "dynamodb.aws.upbound.io/v1beta1",
      kind: "Table",
      metadata: { name: "t" },
      spec: { forProvider: { region: "us-east-1", hashKey: "id", attribute: [{ name: "id", type: "S" }] } },
    };
    expect(validateAgainstCrd(table, "v2.2.0")).toEqual([]);
    expect(validateAgainstCrd(table, "v2.6.0")).toEqual([
      "v2.6.0 dynamodb.aws.upbound.io/v1beta1 Table: v1beta1 is deprecated by provider v2.6.0 (This API version is deprecated. Deprecated since v2.6.0.)",
    ]);
  });
});
