/**
 * The API handler's stores for one test file: dynalite with the records table and s3rver with the
 * audit bucket, each reached by the handler through an optional loopback front (a proxy that
 * records or fails calls), and test-side clients that read the emulators directly.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { createTable, removeDir, startDynalite, startS3rver, useTestCredentials, type Emulator } from "./emulators.js";

/** A loopback proxy in front of an emulator. */
export interface Front {
  endpoint: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiStores<D extends Front | undefined, S extends Front | undefined> {
  ddb: DynamoDBClient;
  s3: S3Client;
  dynamodbFront: D;
  s3Front: S;
  stop(): Promise<void>;
}

export async function startApiStores<D extends Front | undefined = undefined, S extends Front | undefined = undefined>(options: {
  region: string;
  table: string;
  bucket: string;
  dynamodbFront?: (upstream: string) => D;
  s3Front?: (upstream: string) => S;
}): Promise<ApiStores<D, S>> {
  useTestCredentials();
  const [dynamodb, s3]: [Emulator, Emulator & { directory: string }] = await Promise.all([startDynalite(), startS3rver([options.bucket])]);
  const dynamodbFront = options.dynamodbFront?.(dynamodb.endpoint) as D;
  const s3Front = options.s3Front?.(s3.endpoint) as S;
  await Promise.all([dynamodbFront?.start(), s3Front?.start()]);
  // The handler's clients are created per module registry: this file's reach the stores as set here.
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodbFront?.endpoint ?? dynamodb.endpoint;
  process.env["AWS_ENDPOINT_URL_S3"] = s3Front?.endpoint ?? s3.endpoint;
  await createTable(dynamodb.endpoint, options.table);
  const ddb = new DynamoDBClient({ region: options.region, endpoint: dynamodb.endpoint });
  const s3Client = new S3Client({ region: options.region, endpoint: s3.endpoint, forcePathStyle: true });
  return {
    ddb,
    s3: s3Client,
    dynamodbFront,
    s3Front,
    async stop() {
      ddb.destroy();
      s3Client.destroy();
      await Promise.all([dynamodbFront?.stop(), s3Front?.stop()]);
      await Promise.all([dynamodb.stop(), s3.stop()]);
      removeDir(s3.directory);
    },
  };
}
