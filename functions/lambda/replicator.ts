/**
 * SQS event source handler that forwards each message to the secondary region's queue.
 * Returns `batchItemFailures` so only the messages that failed are retried (the event source
 * mapping needs ReportBatchItemFailures). Messages that were themselves replicated are not
 * forwarded again, so two regions replicating to each other cannot loop.
 */
import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { sqs } from "./lib/clients.js";
import { once, optionalString, requireRegion, requireString, withConfig } from "./lib/config.js";
import type { Env } from "./lib/config.js";
import { errorCode } from "./lib/aws.js";
import { logger } from "./lib/log.js";

export const ORIGIN_ATTRIBUTE = "dr-origin-region";
const MAX_ATTRIBUTES = 10;
const BATCH = 10;

export interface ReplicatorConfig {
  region: string;
  targetUrl: string;
  targetRegion: string;
}

export function loadReplicatorConfig(env: Env): ReplicatorConfig {
  const region = requireRegion(env, "AWS_REGION");
  const targetUrl = requireString(env, "SQS_TARGET_URL", /^https?:\/\/[^\s/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/, "an SQS queue URL");
  // The queue URL names its region (sqs.<region>.amazonaws.com); SQS_TARGET_REGION overrides it.
  const fromUrl = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(targetUrl)?.[1];
  const targetRegion =
    optionalString(env, "SQS_TARGET_REGION", /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "an AWS region") ?? fromUrl ?? region;
  return { region, targetUrl, targetRegion };
}

function attributes(record: SQSRecord, origin: string): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    out[name] =
      a.binaryValue !== undefined
        ? { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, "base64") }
        : { DataType: a.dataType, StringValue: a.stringValue ?? "" };
  }
  if (Object.keys(out).length < MAX_ATTRIBUTES) out[ORIGIN_ATTRIBUTE] = { DataType: "String", StringValue: origin };
  return out;
}

function entry(record: SQSRecord, id: string, origin: string): SendMessageBatchRequestEntry {
  const { MessageGroupId, MessageDeduplicationId } = record.attributes;
  return {
    Id: id,
    MessageBody: record.body,
    MessageAttributes: attributes(record, origin),
    ...(MessageGroupId ? { MessageGroupId } : {}),
    ...(MessageDeduplicationId ? { MessageDeduplicationId } : {}),
  };
}

export function createReplicatorHandler(env: Env) {
  const config = once(() => loadReplicatorConfig(env));
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const log = logger({ requestId: context.awsRequestId, function: context.functionName });
    const cfg = withConfig(config, log);
    const client = sqs(cfg.targetRegion);
    const failed: string[] = [];
    const forward = event.Records.filter((r) => r.messageAttributes?.[ORIGIN_ATTRIBUTE] === undefined);
    const skipped = event.Records.length - forward.length;

    for (let start = 0; start < forward.length; start += BATCH) {
      const records = forward.slice(start, start + BATCH);
      const entries = records.map((r, i) => entry(r, String(i), cfg.region));
      try {
        const res = await client.send(new SendMessageBatchCommand({ QueueUrl: cfg.targetUrl, Entries: entries }));
        for (const f of res.Failed ?? []) {
          failed.push(records[Number(f.Id)]!.messageId);
          log.warn("message not forwarded", { messageId: records[Number(f.Id)]!.messageId, code: f.Code, senderFault: f.SenderFault });
        }
      } catch (err) {
        // SQS rejects a whole batch for one bad message; send one by one so the others still go.
        log.warn("batch rejected, sending individually", { error: errorCode(err), size: records.length });
        await Promise.all(
          entries.map(async ({ Id, ...message }) => {
            const record = records[Number(Id)]!;
            try {
              await client.send(new SendMessageCommand({ QueueUrl: cfg.targetUrl, ...message }));
            } catch (oneErr) {
              failed.push(record.messageId);
              log.warn("message not forwarded", { messageId: record.messageId, error: errorCode(oneErr) });
            }
          }),
        );
      }
    }
    log.info("replicated", { received: event.Records.length, skipped, forwarded: forward.length - failed.length, failed: failed.length });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createReplicatorHandler(process.env);
