/**
 * Structured JSON logs, one line per event, written to stdout directly so each CloudWatch log
 * event is parseable JSON (the runtime's console wrapper would prefix it).
 * Callers pass identifiers and outcomes only, never request bodies or credentials.
 */

export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function writeJsonLine(record: Fields): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function logger(base: Fields): Logger {
  const emit = (level: string) => (msg: string, fields?: Fields) =>
    writeJsonLine({ timestamp: new Date().toISOString(), level, msg, ...base, ...fields });
  return { info: emit("INFO"), warn: emit("WARN"), error: emit("ERROR") };
}

/** What is safe to log about an error: its class and message, no stack or request payload. */
export function errorFields(err: unknown): Fields {
  if (err instanceof Error) return { error: err.name, errorMessage: err.message };
  return { error: String(err) };
}
