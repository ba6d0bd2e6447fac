/**
 * The handlers' shared helpers, on their own: configuration parsing and its patterns, the JSON
 * response and header lookup, the log line format and what an error may put in it, the SDK call
 * helpers, the EMF document, the per-region client cache, and the values shared with AWS and the
 * composition that must not drift.
 */
import {
  BUCKET_NAME,
  ConfigError,
  QUEUE_URL,
  TABLE_NAME,
  once,
  optionalInt,
  optionalString,
  requireRegion,
  requireString,
  withConfig,
} from "../../functions/lambda/lib/config.js";
import { RequestError, errorResponse, header, json } from "../../functions/lambda/lib/http.js";
import { errorFields, logger, writeJsonLine } from "../../functions/lambda/lib/log.js";
import { deadline, elapsedMs, errorCode } from "../../functions/lambda/lib/aws.js";
import { METRIC_NAMESPACE, emfLine } from "../../functions/lambda/lib/metrics.js";
import { dynamodb, rds, s3, sns, sqs } from "../../functions/lambda/lib/clients.js";
import { INSTANCE_CREATED_EVENT, RESUME_TAG } from "../../functions/lambda/lib/failover-contract.js";
import { FANOUT_FAILURE_METRIC, ORIGIN_ATTRIBUTE } from "../../functions/lambda/lib/messaging-contract.js";
import { captureStdout } from "./support/lambda-context.js";

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
};

describe("configuration", () => {
  it("takes a value trimmed, and refuses an unset, empty or blank one by name", () => {
    expect(requireString({ A: "  value \n" }, "A")).toBe("value");
    for (const env of [{}, { A: "" }, { A: "   " }]) {
      const err = thrown(() => requireString(env, "A"));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ name: "ConfigError", variable: "A", message: "environment variable A is required but not set" });
    }
  });

  it("refuses a value off its pattern, quoting it and saying what was expected", () => {
    expect(requireString({ A: "abc" }, "A", /^[a-z]+$/)).toBe("abc");
    expect(thrown(() => requireString({ A: "ab1" }, "A", /^[a-z]+$/, "letters"))).toMatchObject({
      variable: "A",
      message: 'environment variable A is invalid: "ab1" (expected letters)',
    });
    expect(thrown(() => requireString({ A: "ab1" }, "A", /^[a-z]+$/))).toMatchObject({
      message: 'environment variable A is invalid: "ab1"',
    });
  });

  it("treats an unset or blank optional value as absent, and checks a set one", () => {
    expect(optionalString({}, "A", /^x$/)).toBeUndefined();
    expect(optionalString({ A: "  " }, "A", /^x$/)).toBeUndefined();
    expect(optionalString({ A: " x " }, "A", /^x$/)).toBe("x");
    expect(() => optionalString({ A: "y" }, "A", /^x$/, "an x")).toThrow('environment variable A is invalid: "y" (expected an x)');
  });

  it.each([
    ["us-east-1", true],
    ["eu-central-2", true],
    ["ap-southeast-4", true],
    ["us-gov-west-1", true],
    ["us-iso-east-1", true],
    ["us-isob-east-1", true],
    ["US-east-1", false],
    ["us-east", false],
    ["us-east-12", false],
    ["us-east-1a", false],
    ["xus-east-1", false],
    ["u-east-1", false],
    ["us-east1", false],
    ["us-gov--1", false],
  ])("a region: %s accepted %s", (region, ok) => {
    const load = () => requireRegion({ R: region }, "R");
    if (ok) expect(load()).toBe(region);
    else expect(load).toThrow(/environment variable R is invalid: .* \(expected an AWS region such as us-east-1\)/);
  });

  it("takes an integer within its bounds, the bounds included, and names them when refusing", () => {
    expect(optionalInt({}, "N", 7, 1, 10)).toBe(7);
    expect(optionalInt({ N: " " }, "N", 7, 1, 10)).toBe(7);
    expect(optionalInt({ N: "1" }, "N", 7, 1, 10)).toBe(1);
    expect(optionalInt({ N: "10" }, "N", 7, 1, 10)).toBe(10);
    expect(optionalInt({ N: " 5 " }, "N", 7, 1, 10)).toBe(5);
    for (const raw of ["0", "11", "2.5", "five", "-3"]) {
      expect(thrown(() => optionalInt({ N: raw }, "N", 7, 1, 10))).toMatchObject({
        variable: "N",
        message: `environment variable N must be an integer between 1 and 10, got ${JSON.stringify(raw)}`,
      });
    }
  });

  it.each([
    ["abc", true],
    ["Records_table-01.v2", true],
    ["a".repeat(255), true],
    ["ab", false],
    ["a".repeat(256), false],
    ["has space", false],
    ["table/1", false],
  ])("a table name: %s accepted %s", (name, ok) => {
    expect(TABLE_NAME.test(name)).toBe(ok);
  });

  it.each([
    ["abc", true],
    ["audit-t1.us-east-1", true],
    ["a".repeat(63), true],
    ["ab", false],
    ["a".repeat(64), false],
    ["Audit", false],
    ["-audit", false],
    ["audit-", false],
    ["audit..t1", false],
    ["xn--audit", false],
    ["audit_t1", false],
  ])("a bucket name: %s accepted %s", (name, ok) => {
    expect(BUCKET_NAME.test(name)).toBe(ok);
  });

  it.each([
    ["https://sqs.us-east-1.amazonaws.com/123456789012/dr-queue", true],
    ["http://127.0.0.1:4566/123456789012/dr-queue", true],
    ["https://sqs.us-east-1.amazonaws.com/123456789012/dr-queue.fifo", true],
    [`https://sqs.us-east-1.amazonaws.com/123456789012/${"q".repeat(80)}`, true],
    [`https://sqs.us-east-1.amazonaws.com/123456789012/${"q".repeat(81)}`, false],
    ["https://sqs.us-east-1.amazonaws.com/12345678901/dr-queue", false],
    ["https://sqs.us-east-1.amazonaws.com/1234567890123/dr-queue", false],
    ["https://sqs.us-east-1.amazonaws.com/123456789012/dr.queue", false],
    ["https://sqs.us-east-1.amazonaws.com/123456789012/", false],
    ["ftp://sqs.us-east-1.amazonaws.com/123456789012/dr-queue", false],
    ["https://sqs us-east-1/123456789012/dr-queue", false],
    ["https:///123456789012/dr-queue", false],
    ["xhttps://sqs.us-east-1.amazonaws.com/123456789012/dr-queue", false],
    ["https://sqs.us-east-1.amazonaws.com/123456789012/dr-queue/x", false],
  ])("a queue URL: %s accepted %s", (url, ok) => {
    expect(QUEUE_URL.test(url)).toBe(ok);
  });

  it("loads once per container, and retries a load that failed", () => {
    let loads = 0;
    const env: Record<string, string | undefined> = {};
    const config = once(() => {
      loads++;
      return requireString(env, "A");
    });
    expect(() => config()).toThrow(ConfigError);
    env["A"] = "first";
    expect(config()).toBe("first");
    env["A"] = "second";
    expect(config()).toBe("first");
    expect(loads).toBe(2);
  });

  it("logs a configuration error once per failing invocation, naming the variable, and no other error", () => {
    const logged: Array<[string, Record<string, unknown> | undefined]> = [];
    const log = { error: (msg: string, fields?: Record<string, unknown>) => void logged.push([msg, fields]) };
    expect(withConfig(() => 42, log)).toBe(42);
    expect(logged).toEqual([]);

    const bad = new ConfigError("TABLE_NAME", "is required but not set");
    expect(() =>
      withConfig(() => {
        throw bad;
      }, log),
    ).toThrow(bad);
    expect(logged).toEqual([["invalid configuration", { variable: "TABLE_NAME", errorMessage: bad.message }]]);

    const other = new Error("not a configuration problem");
    expect(() =>
      withConfig(() => {
        throw other;
      }, log),
    ).toThrow(other);
    expect(logged).toHaveLength(1);
  });
});

describe("HTTP responses", () => {
  it("answers JSON that no cache keeps, extra headers added", () => {
    expect(json(201, { id: "x" })).toEqual({
      statusCode: 201,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: '{"id":"x"}',
    });
    expect(json(405, {}, { allow: "POST" }).headers).toEqual({
      "content-type": "application/json",
      "cache-control": "no-store",
      allow: "POST",
    });
  });

  it("a request error names its field and status", () => {
    const err = new RequestError(409, "header Idempotency-Key", "already used");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("RequestError");
    expect(errorResponse(err, "req-1")).toEqual(json(409, { error: "already used", field: "header Idempotency-Key", requestId: "req-1" }));
  });

  it("finds a header whatever its case, and nothing in absent headers", () => {
    const headers = { "Content-TYPE": "application/json", "X-Other": "1" };
    expect(header(headers, "content-type")).toBe("application/json");
    expect(header(headers, "Content-Type")).toBe("application/json");
    expect(header({ "idempotency-key": "k1234567" }, "Idempotency-Key")).toBe("k1234567");
    expect(header(headers, "idempotency-key")).toBeUndefined();
    expect(header(null, "content-type")).toBeUndefined();
    expect(header(undefined, "content-type")).toBeUndefined();
    expect(header({}, "content-type")).toBeUndefined();
  });
});

describe("logs", () => {
  it("writes one JSON document per line", async () => {
    const { raw } = await captureStdout(async () => writeJsonLine({ a: 1, b: "two" }));
    expect(raw).toBe('{"a":1,"b":"two"}\n');
  });

  it("a line carries the time, the level, the message, the logger's fields and the call's", async () => {
    const before = Date.now();
    const { lines, raw } = await captureStdout(async () => {
      const log = logger({ requestId: "req-1", function: "api" });
      log.info("one", { id: "x" });
      log.warn("two");
      log.error("three", { requestId: "overridden" });
    });
    expect(raw.split("\n")).toHaveLength(4);
    expect(lines.map(({ timestamp: _t, ...rest }) => rest)).toEqual([
      { level: "INFO", msg: "one", requestId: "req-1", function: "api", id: "x" },
      { level: "WARN", msg: "two", requestId: "req-1", function: "api" },
      { level: "ERROR", msg: "three", requestId: "overridden", function: "api" },
    ]);
    for (const line of lines) {
      expect(new Date(String(line["timestamp"])).toISOString()).toBe(line["timestamp"]);
      expect(Date.parse(String(line["timestamp"]))).toBeGreaterThanOrEqual(before - 1);
    }
  });

  it("an error is logged by class and message, never its stack", () => {
    const err = new TypeError("bad thing");
    expect(errorFields(err)).toEqual({ error: "TypeError", errorMessage: "bad thing" });
    expect(errorFields("plain")).toEqual({ error: "plain" });
    expect(errorFields(undefined)).toEqual({ error: "undefined" });
  });
});

describe("SDK call helpers", () => {
  it("a deadline aborts after its time and not before", async () => {
    const { abortSignal } = deadline(60);
    expect(abortSignal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(abortSignal.aborted).toBe(true);
    expect(deadline(60_000).abortSignal.aborted).toBe(false);
  });

  it("an error's code is its name, or UnknownError when it has none", () => {
    expect(errorCode(Object.assign(new Error("x"), { name: "ConditionalCheckFailedException" }))).toBe("ConditionalCheckFailedException");
    expect(errorCode({ name: "NotFound" })).toBe("NotFound");
    expect(errorCode({ name: 3 })).toBe("UnknownError");
    expect(errorCode({})).toBe("UnknownError");
    expect(errorCode("NotFound")).toBe("UnknownError");
    expect(errorCode(null)).toBe("UnknownError");
    expect(errorCode(undefined)).toBe("UnknownError");
  });

  it("elapsed time is in whole milliseconds", () => {
    const started = process.hrtime.bigint() - 1_500_000_000n;
    const ms = elapsedMs(started);
    expect(Number.isInteger(ms)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(60_000);
  });

  it("one client per service and region, configured for that region", async () => {
    for (const make of [dynamodb, s3, rds, sns, sqs]) {
      const east = make("eu-west-1");
      expect(make("eu-west-1")).toBe(east);
      const west = make("eu-west-3");
      expect(west).not.toBe(east);
      expect(await east.config.region()).toBe("eu-west-1");
      expect(await west.config.region()).toBe("eu-west-3");
    }
    expect(dynamodb("eu-west-1")).not.toBe(s3("eu-west-1"));
  });
});

describe("metrics and shared values", () => {
  it("an EMF document names each metric and its unit under _aws and carries the values and dimensions at the top", () => {
    expect(
      emfLine(
        "Ns",
        { Region: "us-east-2", PrimaryRegion: "us-east-1" },
        { Lag: { value: 3.5, unit: "Seconds" }, Failures: { value: 0, unit: "Count" } },
        1234,
      ),
    ).toEqual({
      _aws: {
        Timestamp: 1234,
        CloudWatchMetrics: [
          {
            Namespace: "Ns",
            Dimensions: [["Region", "PrimaryRegion"]],
            Metrics: [
              { Name: "Lag", Unit: "Seconds" },
              { Name: "Failures", Unit: "Count" },
            ],
          },
        ],
      },
      Region: "us-east-2",
      PrimaryRegion: "us-east-1",
      Lag: 3.5,
      Failures: 0,
    });
  });

  it("keeps the values AWS and resources already created depend on", () => {
    // RDS's own identifier of the "DB instance created" event (RDS event categories, "creation").
    expect(INSTANCE_CREATED_EVENT).toBe("RDS-EVENT-0005");
    // Tag key on writers already added: a renamed key would leave their promotion unresumed.
    expect(RESUME_TAG).toBe("dr-failover-mode");
    // Names the alarms and consumers of running environments read.
    expect(METRIC_NAMESPACE).toBe("DisasterRecovery");
    expect(FANOUT_FAILURE_METRIC).toBe("QueueFanOutFailures");
    expect(ORIGIN_ATTRIBUTE).toBe("dr-origin-region");
  });
});
