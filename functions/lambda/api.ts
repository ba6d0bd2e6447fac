/**
 * The environment's business API behind API Gateway (REST, proxy integration):
 *   POST /process  validate, store idempotently in DynamoDB, audit to S3, send the record to the
 *                  queues (messaging), 201 with the id
 *   GET  /health   region plus a DynamoDB and S3 round trip within a deadline (for Route 53)
 *
 * Messaging fans out at the producer: every stored record (and every replay of its key) is sent to
 * this region's queue and, with a second region, to that region's queue, in parallel, as the same
 * body carrying the record id (consumers dedupe by it). The own-region send is required: when it
 * fails the request fails (503) and the client's retry, a replay, sends again. The other-region
 * send is best effort within FANOUT_TIMEOUT_MS, so an outage there never takes this region's API
 * down; each failure is logged with an EMF count (QueueFanOutFailures) that this region alarms on.
 */
import { createHash } from "node:crypto";
import { ConditionalCheckFailedException, DescribeTableCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { dynamodb, s3, sqs } from "./lib/clients.js";
import {
  BUCKET_NAME,
  ConfigError,
  QUEUE_URL,
  TABLE_NAME,
  once,
  withConfig,
  optionalInt,
  optionalString,
  requireRegion,
  requireString,
} from "./lib/config.js";
import type { Env } from "./lib/config.js";
import { RequestError, errorResponse, header, json } from "./lib/http.js";
import { errorFields, logger } from "./lib/log.js";
import type { Logger } from "./lib/log.js";
import { deadline, elapsedMs, errorCode } from "./lib/aws.js";
import { FANOUT_FAILURE_METRIC, ORIGIN_ATTRIBUTE } from "./lib/messaging-contract.js";
import { METRIC_NAMESPACE, emfLine } from "./lib/metrics.js";

export interface ApiConfig {
  region: string;
  tableName: string;
  bucketName: string;
  maxBodyBytes: number;
  healthTimeoutMs: number;
  dependencyTimeoutMs: number;
  /** This region's queue; unset, the API sends no messages. */
  queueUrl: string | undefined;
  /** The other region's queue, sent to best effort within `fanOutTimeoutMs`. */
  otherQueue: { url: string; region: string } | undefined;
  fanOutTimeoutMs: number;
}

export function loadApiConfig(env: Env): ApiConfig {
  const region = requireRegion(env, "AWS_REGION");
  const queueUrl = optionalString(env, "QUEUE_URL", QUEUE_URL, "an SQS queue URL");
  const otherUrl = optionalString(env, "OTHER_QUEUE_URL", QUEUE_URL, "an SQS queue URL");
  if (otherUrl && !queueUrl) throw new ConfigError("OTHER_QUEUE_URL", "is set but QUEUE_URL is not: the own region's queue comes first");
  const otherRegion = otherUrl ? requireRegion(env, "OTHER_QUEUE_REGION") : undefined;
  if (otherRegion === region) throw new ConfigError("OTHER_QUEUE_REGION", `must name another region than AWS_REGION (${region})`);
  return {
    region,
    tableName: requireString(env, "TABLE_NAME", TABLE_NAME, "a DynamoDB table name"),
    bucketName: requireString(env, "BUCKET_NAME", BUCKET_NAME, "an S3 bucket name"),
    maxBodyBytes: optionalInt(env, "MAX_BODY_BYTES", 16 * 1024, 1, 256 * 1024),
    healthTimeoutMs: optionalInt(env, "HEALTH_TIMEOUT_MS", 2000, 50, 10_000),
    dependencyTimeoutMs: optionalInt(env, "DEPENDENCY_TIMEOUT_MS", 5000, 50, 25_000),
    queueUrl,
    otherQueue: otherUrl && otherRegion ? { url: otherUrl, region: otherRegion } : undefined,
    fanOutTimeoutMs: optionalInt(env, "FANOUT_TIMEOUT_MS", 2000, 50, 10_000),
  };
}

export interface ProcessRequest {
  type: string;
  payload: Record<string, unknown>;
  reference?: string;
}

const FIELDS = new Set(["type", "payload", "reference"]);
const TYPE = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const PRINTABLE = /^[\x20-\x7e]{1,128}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses and validates a POST /process body; every rejection names the field at fault. */
export function parseProcessRequest(
  event: Pick<APIGatewayProxyEvent, "body" | "isBase64Encoded" | "headers">,
  maxBodyBytes: number,
): ProcessRequest {
  const contentType = header(event.headers, "content-type");
  if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new RequestError(415, "header Content-Type", "Content-Type must be application/json");
  }
  if (event.body == null || event.body === "") throw new RequestError(400, "body", "request body is required");
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
  if (raw.byteLength > maxBodyBytes) {
    throw new RequestError(413, "body", `request body is ${raw.byteLength} bytes; the limit is ${maxBodyBytes}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new RequestError(400, "body", "request body must be valid JSON");
  }
  if (!isPlainObject(parsed)) throw new RequestError(400, "body", "request body must be a JSON object");
  for (const key of Object.keys(parsed)) {
    if (!FIELDS.has(key)) throw new RequestError(400, key, `unknown field '${key}'; allowed: type, payload, reference`);
  }
  const { type, payload, reference } = parsed;
  if (type === undefined) throw new RequestError(400, "type", "field 'type' is required");
  if (typeof type !== "string" || !TYPE.test(type)) {
    throw new RequestError(400, "type", "field 'type' must be a string of 1-64 letters, digits, '.', '_' or '-', starting with a letter");
  }
  if (payload === undefined) throw new RequestError(400, "payload", "field 'payload' is required");
  if (!isPlainObject(payload)) throw new RequestError(400, "payload", "field 'payload' must be a JSON object");
  if (reference !== undefined && (typeof reference !== "string" || !PRINTABLE.test(reference))) {
    throw new RequestError(400, "reference", "field 'reference' must be a string of 1-128 printable ASCII characters");
  }
  return reference === undefined ? { type, payload } : { type, payload, reference };
}

export function parseIdempotencyKey(headers: APIGatewayProxyEvent["headers"]): string {
  const key = header(headers, "idempotency-key");
  if (key === undefined || key === "") throw new RequestError(400, "header Idempotency-Key", "header Idempotency-Key is required");
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new RequestError(
      400,
      "header Idempotency-Key",
      "header Idempotency-Key must be 8-128 characters of letters, digits, '_', '.', ':' or '-'",
    );
  }
  return key;
}

/** The record id is derived from the idempotency key, so every retry addresses the same item and audit object. */
export function recordId(idempotencyKey: string): string {
  const h = createHash("sha256").update(`idempotency-key:${idempotencyKey}`).digest("hex");
  // Formatted as a UUID (version 8: custom, RFC 9562) for clients that expect one.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function requestHash(req: ProcessRequest): string {
  return createHash("sha256")
    .update(JSON.stringify([req.type, req.payload, req.reference ?? null]))
    .digest("base64");
}

type Dependency = "dynamodb" | "s3" | "sqs";

class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    readonly underlying: unknown,
  ) {
    super(`${dependency} unavailable`);
  }
}

async function call<T>(dependency: Dependency, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw err;
    throw new DependencyError(dependency, err);
  }
}

export const recordKey = (id: string): Record<string, AttributeValue> => ({ pk: { S: `record#${id}` } });
export const auditKey = (id: string): string => `audit/${id}.json`;

/** The message of a stored record, the same on every send and replay: consumers dedupe by `id`. */
export function messageBody(id: string, req: ProcessRequest, createdAt: string | undefined): string {
  return JSON.stringify({
    id,
    type: req.type,
    ...(req.reference === undefined ? {} : { reference: req.reference }),
    payload: req.payload,
    createdAt,
  });
}

/**
 * Sends the message to this region's queue and the other region's at once. A failed own send
 * fails the request (the client retries; the write is idempotent); a failed other send is logged
 * and counted, never raised: the other region's outage must not stop this region's API.
 */
async function fanOut(cfg: ApiConfig, id: string, body: string, log: Logger): Promise<void> {
  if (!cfg.queueUrl) return;
  const message = { MessageBody: body, MessageAttributes: { [ORIGIN_ATTRIBUTE]: { DataType: "String", StringValue: cfg.region } } };
  const { otherQueue } = cfg;
  const [own, other] = await Promise.allSettled([
    sqs(cfg.region).send(new SendMessageCommand({ QueueUrl: cfg.queueUrl, ...message }), deadline(cfg.dependencyTimeoutMs)),
    otherQueue &&
      sqs(otherQueue.region).send(new SendMessageCommand({ QueueUrl: otherQueue.url, ...message }), deadline(cfg.fanOutTimeoutMs)),
  ]);
  if (other.status === "rejected" && otherQueue) {
    const dimensions = { Region: cfg.region, TargetRegion: otherQueue.region };
    log.warn("message not sent to the other region's queue", {
      id,
      error: errorCode(other.reason),
      ...emfLine(METRIC_NAMESPACE, dimensions, { [FANOUT_FAILURE_METRIC]: { value: 1, unit: "Count" } }, Date.now()),
    });
  }
  if (own.status === "rejected") throw new DependencyError("sqs", own.reason);
}

async function processRecord(cfg: ApiConfig, event: APIGatewayProxyEvent, requestId: string, log: Logger): Promise<APIGatewayProxyResult> {
  const req = parseProcessRequest(event, cfg.maxBodyBytes);
  const key = parseIdempotencyKey(event.headers);
  const id = recordId(key);
  const hash = requestHash(req);
  const ddb = dynamodb(cfg.region);
  const bucket = s3(cfg.region);
  const opts = () => deadline(cfg.dependencyTimeoutMs);

  const replay = async (): Promise<APIGatewayProxyResult | undefined> => {
    const found = await call("dynamodb", () =>
      ddb.send(new GetItemCommand({ TableName: cfg.tableName, Key: recordKey(id), ConsistentRead: true }), opts()),
    );
    if (!found.Item) return undefined;
    if (found.Item["requestHash"]?.S !== hash) {
      throw new RequestError(409, "header Idempotency-Key", "header Idempotency-Key was already used with a different request body");
    }
    const createdAt = found.Item["createdAt"]?.S;
    // A retry after a failed send sends again: the record is stored, its message may not be.
    await fanOut(cfg, id, messageBody(id, req, createdAt), log);
    log.info("idempotent replay", { id });
    return json(201, { id, createdAt, replayed: true }, { "idempotent-replayed": "true" });
  };

  // Reading first proves DynamoDB answers before anything is written anywhere.
  const earlier = await replay();
  if (earlier) return earlier;

  const createdAt = new Date().toISOString();
  const record = {
    id,
    type: req.type,
    reference: req.reference,
    payload: req.payload,
    requestHash: hash,
    createdAt,
    requestId,
    region: cfg.region,
  };
  await call("s3", () =>
    bucket.send(
      new PutObjectCommand({ Bucket: cfg.bucketName, Key: auditKey(id), Body: JSON.stringify(record), ContentType: "application/json" }),
      opts(),
    ),
  );
  try {
    await call("dynamodb", () =>
      ddb.send(
        new PutItemCommand({
          TableName: cfg.tableName,
          Item: {
            ...recordKey(id),
            id: { S: id },
            type: { S: req.type },
            payload: { S: JSON.stringify(req.payload) },
            requestHash: { S: hash },
            createdAt: { S: createdAt },
            auditKey: { S: auditKey(id) },
            ...(req.reference === undefined ? {} : { reference: { S: req.reference } }),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
        opts(),
      ),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      // A concurrent request with the same key won the race; answer as it did.
      const winner = await replay();
      if (winner) return winner;
    }
    // No record was stored, so remove the audit object rather than leave half a write behind.
    await bucket.send(new DeleteObjectCommand({ Bucket: cfg.bucketName, Key: auditKey(id) }), opts()).catch((cleanupErr: unknown) => {
      log.error("audit cleanup failed", { id, ...errorFields(cleanupErr) });
    });
    throw err;
  }
  await fanOut(cfg, id, messageBody(id, req, createdAt), log);
  log.info("record created", { id });
  return json(201, { id, createdAt });
}

async function probe(name: string, timeoutMs: number, fn: (o: { abortSignal: AbortSignal }) => Promise<unknown>) {
  const startedAt = process.hrtime.bigint();
  try {
    await fn(deadline(timeoutMs));
    return { name, ok: true, latencyMs: elapsedMs(startedAt) } as const;
  } catch (err) {
    return { name, ok: false, latencyMs: elapsedMs(startedAt), error: errorCode(err) } as const;
  }
}

async function health(cfg: ApiConfig, requestId: string, log: Logger): Promise<APIGatewayProxyResult> {
  const checks = await Promise.all([
    probe("dynamodb", cfg.healthTimeoutMs, (o) => dynamodb(cfg.region).send(new DescribeTableCommand({ TableName: cfg.tableName }), o)),
    probe("s3", cfg.healthTimeoutMs, (o) => s3(cfg.region).send(new HeadBucketCommand({ Bucket: cfg.bucketName }), o)),
  ]);
  const ok = checks.every((c) => c.ok);
  if (!ok) log.warn("health check failed", { checks });
  return json(ok ? 200 : 503, {
    status: ok ? "ok" : "unavailable",
    region: cfg.region,
    checks: Object.fromEntries(checks.map(({ name, ...rest }) => [name, rest])),
    requestId,
  });
}

const ROUTES: Record<string, string> = { "/process": "POST", "/health": "GET" };

export function createApiHandler(env: Env) {
  const config = once(() => loadApiConfig(env));
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const requestId = context.awsRequestId;
    const log = logger({ requestId, function: context.functionName });
    const cfg = withConfig(config, log);
    const startedAt = process.hrtime.bigint();
    const path = event.path.length > 1 ? event.path.replace(/\/+$/, "") : event.path;
    let response: APIGatewayProxyResult;
    try {
      const allowed = ROUTES[path];
      if (!allowed) response = json(404, { error: `no route for ${path}`, requestId });
      else if (event.httpMethod !== allowed)
        response = json(405, { error: `${event.httpMethod} not allowed on ${path}`, requestId }, { allow: allowed });
      else response = path === "/health" ? await health(cfg, requestId, log) : await processRecord(cfg, event, requestId, log);
    } catch (err) {
      if (err instanceof RequestError) {
        response = errorResponse(err, requestId);
      } else if (err instanceof DependencyError) {
        log.error("dependency failed", { dependency: err.dependency, ...errorFields(err.underlying) });
        response = json(503, { error: err.message, requestId }, { "retry-after": "1" });
      } else {
        log.error("unhandled error", errorFields(err));
        response = json(500, { error: "internal error", requestId });
      }
    }
    log.info("request", { method: event.httpMethod, path, status: response.statusCode, latencyMs: elapsedMs(startedAt) });
    return response;
  };
}

export const handler = createApiHandler(process.env);
