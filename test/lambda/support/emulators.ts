/**
 * DynamoDB (dynalite) and S3 (s3rver) emulators on ephemeral loopback ports, started and stopped
 * by the tests. The handlers reach them through the SDK's own AWS_ENDPOINT_URL_<SERVICE> settings.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** s3rver only accepts requests signed with its built-in key pair; dynalite and moto accept any. */
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" } as const;

export function useTestCredentials(): void {
  Object.assign(process.env, TEST_CREDENTIALS);
  delete process.env["AWS_SESSION_TOKEN"];
  delete process.env["AWS_PROFILE"];
  // Fail fast when an emulator is stopped on purpose instead of retrying for seconds.
  process.env["AWS_MAX_ATTEMPTS"] = "2";
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Pooled keep-alive sockets from the SDK would otherwise hold close() open.
    server.closeAllConnections();
  });
}

export interface Emulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Starts again on the same port with the same data, after stop(). */
  restart(): Promise<void>;
}

export async function startDynalite(limits: { maxItemSizeKb?: number } = {}): Promise<Emulator> {
  const options = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...limits };
  let server = dynalite(options);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  let running = true;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (running) await closeServer(server);
      running = false;
    },
    async restart() {
      // dynalite keeps its store in memory per server, so a restart starts empty.
      server = dynalite(options);
      await listen(port);
      running = true;
    },
  };
}

export async function startS3rver(buckets: string[]): Promise<Emulator & { directory: string }> {
  const directory = mkdtempSync(join(tmpdir(), "s3rver-"));
  const make = (port: number) =>
    new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  let server = make(0);
  const { port } = await server.run();
  let running = true;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (running && server.httpServer) await closeServer(server.httpServer);
      running = false;
    },
    async restart() {
      server = make(port);
      await server.run();
      running = true;
    },
    directory,
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The table layout the handlers expect: a string partition key named `pk`. */
export async function createTable(endpoint: string, tableName: string, region = "us-east-1"): Promise<void> {
  const client = new DynamoDBClient({ region, endpoint });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } finally {
    client.destroy();
  }
}
