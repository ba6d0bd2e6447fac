/** The parity check's comparison must catch what it exists to catch. */
import { compare, documents } from "../crossplane/compare.js";

const stream = `---
apiVersion: dr.platform.io/v1alpha1
kind: XDisasterRecoveryEnvironment
metadata: {name: payments}
status: {resources: {desired: 2}}
---
apiVersion: ec2.aws.upbound.io/v1beta1
kind: VPC
metadata:
  annotations: {crossplane.io/composition-resource-name: primary-vpc}
spec: {forProvider: {cidrBlock: 10.0.0.0/16, region: us-east-1}}
---
apiVersion: ec2.aws.upbound.io/v1beta1
kind: Subnet
metadata:
  annotations: {crossplane.io/composition-resource-name: primary-subnet}
spec: {forProvider: {cidrBlock: 10.0.0.0/24}}
---
apiVersion: render.crossplane.io/v1beta1
kind: Result
step: compose
severity: SEVERITY_NORMAL
message: composed 2 resources
`;

test("the same objects in another YAML style and key order are equal", () => {
  const restyled = documents(stream, "x")
    .map((d) => `---\n${JSON.stringify(Object.fromEntries(Object.entries(d).reverse()))}\n`)
    .join("");
  expect(compare("case", documents(stream, "a"), documents(restyled, "b"))).toEqual([]);
});

test("a changed field is reported with its resource and path", () => {
  const changed = stream.replace("10.0.0.0/24", "10.0.1.0/24");
  expect(compare("case", documents(stream, "a"), documents(changed, "b"))).toEqual([
    'case: Subnet primary-subnet .spec.forProvider.cidrBlock: crossplane "10.0.0.0/24" vs ours "10.0.1.0/24"',
  ]);
});

test("a missing resource, an extra field and different results are all reported", () => {
  const ours = documents(stream, "b");
  ours.splice(2, 1);
  (ours[1]!.metadata as Record<string, unknown>).labels = { extra: "yes" };
  ours[2]!.message = "composed 1 resource";
  const problems = compare("case", documents(stream, "a"), ours);
  expect(problems).toEqual(
    expect.arrayContaining([
      "case: crossplane rendered 3 objects, ours 2",
      expect.stringContaining("VPC primary-vpc .metadata.labels"),
      expect.stringContaining("document 3 is Subnet primary-subnet in crossplane's output, missing in ours"),
      expect.stringContaining("results differ"),
    ]),
  );
});

test("an unparsable stream is an error naming its origin", () => {
  expect(() => documents("a: [", "crossplane render")).toThrow(/crossplane render: document 1 does not parse/);
});
