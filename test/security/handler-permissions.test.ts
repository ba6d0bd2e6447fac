/**
 * Each Lambda's composed role allows every AWS call its code makes, and allows nothing its code
 * does not call. The calls are read from the handler's source: every `new <Operation>Command(` of
 * an `@aws-sdk/client-<service>` import, which IAM authorizes as `<service>:<Operation>` (HeadBucket
 * as s3:ListBucket, per the S3 API Reference). Judged on every shipped claim, settled: a role policy
 * missing an action fails the call on AWS with AccessDenied, which no emulator checks.
 */
import { readFileSync } from "node:fs";
import { LAMBDA_CODE } from "../../functions/src/lambda-code.js";
import { list, ofKind, forProvider, statements } from "../../tools/policy/index.js";
import { settledClaims, type SettledClaim } from "./claims.js";

/** Operations IAM authorizes under another action's name. */
const AUTHORIZED_AS: Record<string, string> = { "s3:HeadBucket": "s3:ListBucket", "s3:HeadObject": "s3:GetObject" };

/**
 * Actions a role needs beside the calls themselves: writing its logs and traces, using the keys the
 * data stores and topics encrypt with (always through those services), and tagging the instance it
 * creates (RDS authorizes tags given on create as rds:AddTagsToResource).
 */
const BESIDE_CALLS =
  /^(logs:(CreateLogStream|PutLogEvents)|xray:(PutTraceSegments|PutTelemetryRecords)|kms:(Decrypt|GenerateDataKey)|rds:AddTagsToResource)$/;

/** The IAM actions the handler's source calls. */
export function calledActions(source: string): string[] {
  const serviceOf = new Map<string, string>();
  for (const [, names, service] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g))
    for (const name of names!.split(",").map((n) => n.trim())) if (name.endsWith("Command")) serviceOf.set(name, service!);
  const actions = new Set<string>();
  for (const [, operation] of source.matchAll(/new\s+(\w+)Command\(/g)) {
    const service = serviceOf.get(`${operation}Command`);
    if (!service) throw new Error(`${operation}Command is not imported from an AWS SDK client`);
    const action = `${service}:${operation}`;
    actions.add(AUTHORIZED_AS[action] ?? action);
  }
  return [...actions].sort();
}

const sourceOf = (handler: string) => readFileSync(new URL(`../../functions/lambda/${handler}.ts`, import.meta.url), "utf8");

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 120_000);

it("reads the calls from a handler's source, and refuses a command it cannot place", () => {
  expect(calledActions(sourceOf("api"))).toEqual([
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:PutObject",
    "sqs:SendMessage",
  ]);
  expect(() => calledActions("new FrobCommand({})")).toThrow("FrobCommand is not imported");
});

describe.each(Object.keys(LAMBDA_CODE))("the %s function's role", (handler) => {
  /** The actions each composed role of this handler allows, by source and composed name. */
  const granted = () =>
    envs.flatMap(({ source, resources }) =>
      ofKind(resources, "iam", "RolePolicy")
        .filter(([, r]) => r.metadata?.labels?.["dr.platform.io/resource"] === `role-${handler}-policy`)
        .map(([key, r]) => ({
          source,
          key,
          actions: new Set((statements(forProvider(r).policy) ?? []).filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action))),
        })),
    );

  // Claims that use every feature the code calls for: two regions (the secondary's reads and probe) and messaging.
  const complete = (source: string) => {
    const spec = envs.find((e) => e.source === source)!.claim.spec as { tier: string; messaging?: { enabled?: boolean } };
    return spec.tier !== "backup-restore" && spec.messaging?.enabled === true;
  };

  it("allows every call its code makes, in one region or the other, in every claim that uses all it does", () => {
    const called = calledActions(sourceOf(handler));
    expect(called.length).toBeGreaterThan(0);
    const roles = granted().filter((r) => complete(r.source));
    expect(roles.length).toBeGreaterThan(0);
    for (const source of new Set(roles.map((r) => r.source))) {
      const inClaim = roles.filter((r) => r.source === source);
      const missing = called.filter((action) => !inClaim.some((r) => r.actions.has(action)));
      expect({ source, missing }).toEqual({ source, missing: [] });
    }
  });

  it("allows nothing its code does not call, beyond logs, traces, keys and tags", () => {
    const called = new Set(calledActions(sourceOf(handler)));
    expect(granted().length).toBeGreaterThan(0);
    for (const { source, key, actions } of granted()) {
      const extra = [...actions].filter((a) => !called.has(a) && !BESIDE_CALLS.test(a));
      expect({ source, key, extra }).toEqual({ source, key, extra: [] });
    }
  });
});
