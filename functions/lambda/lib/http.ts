/** API Gateway proxy responses, always JSON. */
import type { APIGatewayProxyResult } from "aws-lambda";

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

/** A client error that names the offending field, e.g. `payload` or `header Idempotency-Key`. */
export class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export function errorResponse(err: RequestError, requestId: string): APIGatewayProxyResult {
  return json(err.statusCode, { error: err.message, field: err.field, requestId });
}

/** Header lookup is case-insensitive: API Gateway passes them as the client sent them. */
export function header(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
