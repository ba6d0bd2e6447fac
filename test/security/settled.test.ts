/**
 * Facts about every shipped claim's settled composition that no single block can see: what the
 * composite said it waited for is composed in the end, names tell the two regions apart, and the
 * identifiers and time windows AWS validates across resources are ones it accepts.
 */
import { ofKind, forProvider, type Manifest } from "../../tools/policy/index.js";
import { settledClaims, type SettledClaim } from "./claims.js";

let envs: SettledClaim[];
beforeAll(async () => {
  envs = await settledClaims();
}, 120_000);

const twoRegion = () => envs.filter((e) => Object.keys(e.resources).some((k) => k.startsWith("secondary-")));

it("every resource the composite reported waiting, and every resource it waited on, is composed once settled", () => {
  expect(envs.some((e) => e.waited.length > 20)).toBe(true);
  for (const { source, resources, waited } of envs) {
    const unknown = waited.flatMap(([waiting, , from]) => [waiting, from].filter((name) => !(name in resources)));
    expect({ source, unknown: [...new Set(unknown)] }).toEqual({ source, unknown: [] });
  }
});

/**
 * Kinds whose Name tag is one name for both regions by design: the global table and its replica,
 * the global cluster, the hostname's certificate and custom domain. Log groups are named by their
 * path, which each region holds apart.
 */
const ONE_NAME_FOR_BOTH = ["Table", "TableReplica", "GlobalCluster", "Certificate", "DomainName", "Group"];

it("no two resources of a kind in the two regions share a Name tag, except those named after one thing in both", () => {
  expect(twoRegion().length).toBeGreaterThan(3);
  for (const { source, resources } of twoRegion()) {
    const byName = new Map<string, string[]>();
    for (const [key, r] of Object.entries(resources)) {
      const name = forProvider(r).tags?.Name as string | undefined;
      if (!name || ONE_NAME_FOR_BOTH.includes(r.kind)) continue;
      const id = `${r.kind} ${name}`;
      byName.set(id, [...(byName.get(id) ?? []), key]);
    }
    const shared = [...byName].filter(([, keys]) => keys.length > 1);
    expect({ source, shared }).toEqual({ source, shared: [] });
    expect(byName.size).toBeGreaterThan(20);
  }
});

it("S3 rule ids are 1 to 255 characters and unique within their configuration, as S3 requires", () => {
  for (const { source, resources } of envs) {
    const configurations = [
      ...ofKind(resources, "s3", "BucketLifecycleConfiguration"),
      ...ofKind(resources, "s3", "BucketReplicationConfiguration"),
    ];
    expect(configurations.length).toBeGreaterThan(0);
    for (const [key, r] of configurations) {
      const ids = (forProvider(r).rule as Array<{ id?: string }>).map((rule) => rule.id);
      expect({ source, key, ids }).toEqual({ source, key, ids: ids.map(() => expect.stringMatching(/^.{1,255}$/)) });
      expect({ source, key, distinct: new Set(ids).size }).toEqual({ source, key, distinct: ids.length });
    }
  }
});

/**
 * What each API takes as a description (EC2 CreateSecurityGroup, RDS CreateDBSubnetGroup and
 * CreateDBClusterParameterGroup require one; lengths from each API reference): a description AWS
 * refuses keeps the resource from ever being created.
 */
const DESCRIPTIONS: Array<{ kind: string; field: string; required: boolean; max: number; characters?: RegExp }> = [
  // EC2-VPC: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*
  { kind: "ec2/SecurityGroup", field: "description", required: true, max: 255, characters: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/ },
  { kind: "rds/SubnetGroup", field: "description", required: true, max: 255 },
  { kind: "rds/ClusterParameterGroup", field: "description", required: true, max: 255 },
  { kind: "kms/Key", field: "description", required: false, max: 8192 },
  { kind: "secretsmanager/Secret", field: "description", required: false, max: 2048 },
  { kind: "iam/Role", field: "description", required: false, max: 1000, characters: /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/ },
  { kind: "lambda/Function", field: "description", required: false, max: 256 },
  { kind: "cloudwatchevents/Rule", field: "description", required: false, max: 512 },
  { kind: "cloudwatch/MetricAlarm", field: "alarmDescription", required: false, max: 1024 },
];

it("every description is one its API accepts: present where required, within its length and characters", () => {
  const judged = new Set<string>();
  for (const { source, resources } of envs) {
    for (const [key, r] of Object.entries(resources)) {
      const kind = `${r.apiVersion.split(".")[0]}/${r.kind}`;
      const rule = DESCRIPTIONS.find((d) => d.kind === kind);
      if (!rule) continue;
      judged.add(kind);
      const text = forProvider(r)[rule.field] as string | undefined;
      const problems = [
        ...(rule.required && !text ? ["missing"] : []),
        ...((text?.length ?? 0) > rule.max ? [`over ${rule.max}`] : []),
        ...(text && rule.characters && !rule.characters.test(text) ? ["characters"] : []),
      ];
      expect({ source, key, problems }).toEqual({ source, key, problems: [] });
    }
  }
  expect([...judged].sort()).toEqual(DESCRIPTIONS.map((d) => d.kind).sort());
});

describe("time windows", () => {
  const MINUTES_PER_WEEK = 7 * 24 * 60;
  const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const at = (hhmm: string) => {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
    if (!m) throw new Error(`${hhmm} is not hh24:mi`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  /** A window as minute ranges of the week; a daily window repeats on every day. */
  type Window = Array<[number, number]>;
  const daily = (start: number, minutes: number): Window => DAYS.map((_, d) => [d * 1440 + start, d * 1440 + start + minutes]);
  const span = (from: number, to: number) => (to - from + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  /** RDS's `hh24:mi-hh24:mi`, UTC, daily. */
  const backupWindow = (text: string): Window => {
    const [from, to] = text.split("-").map(at);
    return daily(from!, (to! - from! + 1440) % 1440);
  };
  /** RDS's `ddd:hh24:mi-ddd:hh24:mi`, UTC, weekly. */
  const maintenanceWindow = (text: string): Window => {
    const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(text);
    if (!m || !DAYS.includes(m[1]!) || !DAYS.includes(m[3]!)) throw new Error(`${text} is not ddd:hh24:mi-ddd:hh24:mi`);
    const from = DAYS.indexOf(m[1]!) * 1440 + at(m[2]!);
    return [[from, from + span(from, DAYS.indexOf(m[3]!) * 1440 + at(m[4]!))]];
  };
  /** AWS Backup's daily `cron(M H * * ? *)`, from its start to the end of its start window. */
  const backupJobWindow = (schedule: string, startWindow: number): Window => {
    const m = /^cron\((\d+) (\d+) \* \* \? \*\)$/.exec(schedule);
    if (!m) throw new Error(`${schedule} is not a daily cron`);
    return daily(Number(m[2]) * 60 + Number(m[1]), startWindow);
  };
  const minutes = (w: Window) => w[0]![1] - w[0]![0];
  const overlap = (a: Window, b: Window) =>
    a.some(([s1, e1]) =>
      b.some(([s2, e2]) => [0, MINUTES_PER_WEEK, -MINUTES_PER_WEEK].some((shift) => s1 < e2 + shift && s2 + shift < e1)),
    );

  const clusters = (): Array<[string, string, Manifest]> =>
    envs.flatMap(({ source, resources }) =>
      ofKind(resources, "rds", "Cluster").map(([key, r]) => [source, key, r] as [string, string, Manifest]),
    );

  it("each cluster's backup and maintenance windows are RDS's formats, at least 30 minutes, and do not overlap", () => {
    expect(clusters().length).toBeGreaterThan(10);
    for (const [source, key, r] of clusters()) {
      const backup = backupWindow(forProvider(r).preferredBackupWindow);
      const maintenance = maintenanceWindow(forProvider(r).preferredMaintenanceWindow);
      expect({ source, key, backup: minutes(backup) >= 30, maintenance: minutes(maintenance) >= 30 }).toEqual({
        source,
        key,
        backup: true,
        maintenance: true,
      });
      expect({ source, key, overlap: overlap(backup, maintenance) }).toEqual({ source, key, overlap: false });
    }
  });

  it("the AWS Backup job of a region starts outside its cluster's backup and maintenance windows", () => {
    let judged = 0;
    for (const { source, resources } of envs) {
      for (const [, plan] of ofKind(resources, "backup", "Plan")) {
        const region = forProvider(plan).region;
        const cluster = ofKind(resources, "rds", "Cluster").find(([, c]) => forProvider(c).region === region)?.[1];
        if (!cluster) continue;
        for (const rule of forProvider(plan).rule as Array<{ schedule: string; startWindow: number }>) {
          const job = backupJobWindow(rule.schedule, rule.startWindow);
          const windows = [
            backupWindow(forProvider(cluster).preferredBackupWindow),
            maintenanceWindow(forProvider(cluster).preferredMaintenanceWindow),
          ];
          expect({ source, region, overlaps: windows.map((w) => overlap(job, w)) }).toEqual({ source, region, overlaps: [false, false] });
          judged++;
        }
      }
    }
    expect(judged).toBeGreaterThan(5);
  });

  it("the window reader tells overlapping windows apart", () => {
    expect(overlap(backupWindow("03:00-04:00"), maintenanceWindow("sun:03:30-sun:04:30"))).toBe(true);
    expect(overlap(backupWindow("23:30-00:30"), maintenanceWindow("mon:00:00-mon:00:45"))).toBe(true);
    expect(overlap(backupWindow("03:00-04:00"), maintenanceWindow("sun:04:30-sun:05:30"))).toBe(false);
    expect(overlap(backupJobWindow("cron(0 6 * * ? *)", 60), backupWindow("06:30-07:00"))).toBe(true);
    expect(() => maintenanceWindow("")).toThrow("is not ddd");
  });
});
