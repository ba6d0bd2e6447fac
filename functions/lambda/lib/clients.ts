/**
 * AWS SDK v3 clients, created lazily once per container and region and reused across
 * invocations. Endpoints come from the SDK's own configuration (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>), which is how tests point them at local emulators.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

function cached<T>(create: (region: string) => T): (region: string) => T {
  const byRegion = new Map<string, T>();
  return (region) => {
    let client = byRegion.get(region);
    if (!client) byRegion.set(region, (client = create(region)));
    return client;
  };
}

export const dynamodb = cached((region) => new DynamoDBClient({ region }));
export const s3 = cached((region) => new S3Client({ region }));
export const rds = cached((region) => new RDSClient({ region }));
export const sns = cached((region) => new SNSClient({ region }));
export const sqs = cached((region) => new SQSClient({ region }));
