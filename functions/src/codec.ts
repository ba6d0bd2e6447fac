/**
 * The RunFunction wire codec, at the byte level: google.protobuf.Struct fields are read straight
 * into plain objects and written straight from them, without the intermediate Value message the
 * generated codec builds (and then unwraps) for every node. Messages without Structs (request and
 * response meta, credentials, results, requirements, conditions) go through the SDK's codec.
 *
 * It mirrors the generated codec's choices exactly, so both read and write the same bytes: fields
 * in field-number order, empty keys and undefined values left out, a repeated singular field
 * replaces the earlier one, a Value carrying several kinds unwraps by the same precedence.
 */
import { RunFunctionRequest, RunFunctionResponse, type Resource, type State } from "@crossplane-org/function-sdk-typescript";

import { isDeeplyFrozen } from "../../src/immutable.js";

type Json = Record<string, unknown>;

/** The generated codec's nesting limit, counted the same way (every message level). */
const MAX_DEPTH = 100;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

class WireError extends Error {}

/**
 * Keys and most values in a manifest are short ASCII; building those in JS skips a call into
 * the runtime's UTF-8 decoder per string, which costs more than the decoding itself.
 */
const SHORT_STRING = 48;

function shortString(buf: Buffer, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    if (byte >= 0x80) return buf.toString("utf8", start, end);
    text += String.fromCharCode(byte);
  }
  return text;
}

/** UTF-8 length of a string, counted in JS for short ASCII (see SHORT_STRING). */
function utf8Length(text: string): number {
  if (text.length > SHORT_STRING) return Buffer.byteLength(text, "utf8");
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, "utf8");
  return text.length;
}

/** A bounds-checked protobuf reader over one buffer. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  static of(bytes: Uint8Array): Reader {
    return new Reader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new WireError("premature end of message in a varint");
      const byte = this.buf[this.pos++]!;
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else if (shift < 35) result |= ((byte & 0x7f) << shift) >>> 0; // Top bits of a 32-bit value.
      if (byte < 0x80) return result >>> 0;
      shift += 7;
      if (shift > 63) throw new WireError("varint longer than 10 bytes");
    }
  }

  /** The end offset of a length-delimited field that starts here, checked against `limit`. */
  delimited(limit: number): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > limit) throw new WireError(`length ${length} runs past the end of the message`);
    return end;
  }

  string(limit: number): string {
    const end = this.delimited(limit);
    const text = end - this.pos <= SHORT_STRING ? shortString(this.buf, this.pos, end) : this.buf.toString("utf8", this.pos, end);
    this.pos = end;
    return text;
  }

  double(limit: number): number {
    if (this.pos + 8 > limit) throw new WireError("premature end of message in a double");
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  skip(wireType: number, limit: number, depth = 0): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        break;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LENGTH:
        this.pos = this.delimited(limit);
        break;
      case WIRE_START_GROUP:
        for (;;) {
          if (depth >= MAX_DEPTH) throw new WireError("group nesting limit exceeded");
          const tag = this.varint();
          if ((tag & 7) === WIRE_END_GROUP) break;
          this.skip(tag & 7, limit, depth + 1);
        }
        break;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`invalid wire type ${wireType}`);
    }
    if (this.pos > limit) throw new WireError("premature end of message");
  }
}

/** Ends a message loop the way the generated codec does: on tag 0 or an end-group tag. */
const endsMessage = (tag: number) => tag === 0 || (tag & 7) === WIRE_END_GROUP;

function checkDepth(depth: number): void {
  if (depth >= MAX_DEPTH) throw new WireError("protobuf decode recursion limit exceeded");
}

// Value kinds in the generated unwrap's precedence: string, number, bool, struct, list, null.
const KIND_RANK: Record<number, number> = { 26: 0, 17: 1, 32: 2, 42: 3, 50: 4, 8: 5 };

function readValue(r: Reader, end: number, depth: number, plan?: DeferPlan): unknown {
  checkDepth(depth);
  let value: unknown = undefined;
  let rank = 6;
  while (r.pos < end) {
    const tag = r.varint();
    let next: unknown;
    switch (tag) {
      case 8: // null_value
        r.varint();
        next = null;
        break;
      case 17: // number_value
        next = r.double(end);
        break;
      case 26: // string_value
        next = r.string(end);
        break;
      case 32: // bool_value
        next = r.varint() !== 0;
        break;
      case 42: // struct_value
        next = readStruct(r, r.delimited(end), depth + 1, plan);
        break;
      case 50: // list_value
        next = readList(r, r.delimited(end), depth + 1);
        break;
      default:
        if (endsMessage(tag)) return value;
        r.skip(tag & 7, end);
        continue;
    }
    const nextRank = KIND_RANK[tag]!;
    if (nextRank <= rank) {
      value = next;
      rank = nextRank;
    }
  }
  return value;
}

function readList(r: Reader, end: number, depth: number): unknown[] {
  checkDepth(depth);
  const values: unknown[] = [];
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 10) values.push(readValue(r, r.delimited(end), depth + 1));
    else if (endsMessage(tag)) break;
    else r.skip(tag & 7, end);
  }
  return values;
}

/**
 * Which members of a Struct are decoded only when first read: their bytes are framed (length
 * checked against the enclosing message) and kept; the value is decoded, and checked, on first
 * access. `nested` applies a plan to a member that is itself decoded now.
 */
interface DeferPlan {
  deferred: ReadonlySet<string>;
  nested?: Readonly<Record<string, DeferPlan>>;
}

/**
 * Observed composed resources are most of a request, and their spec about half of it: it echoes
 * the desired state the function itself wrote. The function reads it only to keep a resource
 * that waits for a value (compose.ts keepWaitingResources), so it is decoded on demand, like the
 * server-side field bookkeeping in metadata.managedFields, which nothing reads.
 */
const OBSERVED_COMPOSED: DeferPlan = {
  deferred: new Set(["spec"]),
  nested: { metadata: { deferred: new Set(["managedFields"]) } },
};

/** Defines `key` as a value decoded from `bytes` (one google.protobuf.Value) on first read. */
function defineDeferred(object: Json, key: string, buf: Buffer, start: number, end: number, depth: number): void {
  const settle = (value: unknown) => {
    if (value === undefined) delete object[key];
    else Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(object, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const r = new Reader(buf);
      r.pos = start;
      return settle(readValue(r, end, depth));
    },
    set: settle,
  });
}

function readStruct(r: Reader, end: number, depth: number, plan?: DeferPlan): Json {
  checkDepth(depth);
  const object: Json = {};
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 10) {
      const entryEnd = r.delimited(end);
      checkDepth(depth + 1);
      let key = "";
      let value: unknown = undefined;
      let deferredAt: [number, number] | undefined;
      while (r.pos < entryEnd) {
        const entryTag = r.varint();
        if (entryTag === 10) key = r.string(entryEnd);
        else if (entryTag === 18) {
          const valueEnd = r.delimited(entryEnd);
          // Deferred only when the key came first (every encoder writes it first) and the Value is not empty.
          if (plan?.deferred.has(key) && valueEnd > r.pos) {
            deferredAt = [r.pos, valueEnd];
            value = undefined;
            r.pos = valueEnd;
          } else {
            deferredAt = undefined;
            // Own keys only: a member named like an Object.prototype property ("toString") has no plan.
            const nested = plan?.nested && Object.hasOwn(plan.nested, key) ? plan.nested[key] : undefined;
            value = readValue(r, valueEnd, depth + 2, nested);
          }
        } else if (endsMessage(entryTag)) break;
        else r.skip(entryTag & 7, entryEnd);
      }
      r.pos = entryEnd;
      // The generated codec drops "__proto__" too (its assignment sets a prototype, not a key).
      if (key === "__proto__") continue;
      if (deferredAt) defineDeferred(object, key, r.buf, deferredAt[0], deferredAt[1], depth + 2);
      else if (value !== undefined) object[key] = value;
      else if (key in object) delete object[key];
    } else if (endsMessage(tag)) break;
    else r.skip(tag & 7, end);
  }
  return object;
}

function readResource(r: Reader, end: number, depth: number, plan?: DeferPlan): Resource {
  checkDepth(depth);
  const resource: Resource = { resource: undefined, connectionDetails: {}, ready: 0 };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 10) resource.resource = readStruct(r, r.delimited(end), depth + 1, plan);
    else if (tag === 18) {
      const entryEnd = r.delimited(end);
      let key = "";
      let value = Buffer.alloc(0);
      while (r.pos < entryEnd) {
        const entryTag = r.varint();
        if (entryTag === 10) key = r.string(entryEnd);
        else if (entryTag === 18) {
          const valueEnd = r.delimited(entryEnd);
          value = Buffer.from(r.buf.subarray(r.pos, valueEnd)); // A copy: the request buffer is not kept alive.
          r.pos = valueEnd;
        } else if (endsMessage(entryTag)) break;
        else r.skip(entryTag & 7, entryEnd);
      }
      r.pos = entryEnd;
      resource.connectionDetails[key] = value;
    } else if (tag === 24) resource.ready = r.varint() | 0;
    else if (endsMessage(tag)) break;
    else r.skip(tag & 7, end);
  }
  return resource;
}

/** `composedPlan` applies to the composed resources, not the composite. */
function readState(r: Reader, end: number, depth: number, composedPlan?: DeferPlan): State {
  checkDepth(depth);
  const state: State = { composite: undefined, resources: {} };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === 10) state.composite = readResource(r, r.delimited(end), depth + 1);
    else if (tag === 18) {
      const entryEnd = r.delimited(end);
      let key = "";
      let value: Resource | undefined;
      while (r.pos < entryEnd) {
        const entryTag = r.varint();
        if (entryTag === 10) key = r.string(entryEnd);
        else if (entryTag === 18) value = readResource(r, r.delimited(entryEnd), depth + 2, composedPlan);
        else if (endsMessage(entryTag)) break;
        else r.skip(entryTag & 7, entryEnd);
      }
      r.pos = entryEnd;
      if (value !== undefined) state.resources[key] = value;
    } else if (endsMessage(tag)) break;
    else r.skip(tag & 7, end);
  }
  return state;
}

/**
 * Decodes a RunFunctionRequest. Observed and desired state, input and context are read here;
 * every other field (meta, credentials, extra and required resources, schemas) is handed, as the
 * original bytes, to the SDK's decoder, which fills the defaults as well.
 */
export function decodeRunFunctionRequest(bytes: Uint8Array): RunFunctionRequest {
  const r = Reader.of(bytes);
  const buf = r.buf;
  const end = buf.length;
  const own: Partial<RunFunctionRequest> = {};
  const rest: Buffer[] = [];
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.varint();
    switch (tag) {
      case 18:
        own.observed = readState(r, r.delimited(end), 1, OBSERVED_COMPOSED);
        break;
      case 26:
        own.desired = readState(r, r.delimited(end), 1);
        break;
      case 34:
        own.input = readStruct(r, r.delimited(end), 1);
        break;
      case 42:
        own.context = readStruct(r, r.delimited(end), 1);
        break;
      default:
        if (endsMessage(tag)) {
          r.pos = end;
          break;
        }
        r.skip(tag & 7, end);
        rest.push(buf.subarray(start, r.pos));
    }
  }
  return Object.assign(RunFunctionRequest.decode(rest.length === 1 ? rest[0]! : Buffer.concat(rest)), own);
}

/** Decodes one google.protobuf.Struct message into a plain object (exported for the compatibility proofs). */
export function decodeStruct(bytes: Uint8Array): Json {
  const r = Reader.of(bytes);
  return readStruct(r, r.buf.length, 0);
}

// ---------------------------------------------------------------------------------------------
// Encoding: one pass sizes every length-delimited node (in visiting order), a second pass writes
// into one buffer of exactly that size, so nothing is copied twice and no chunk list is built.

function varintSize(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

const delimitedSize = (length: number) => varintSize(length) + length;

/** What the sizing pass leaves for the writing pass: node and string byte lengths, in visiting order. */
interface Plan {
  sizes: number[];
}

function stringSize(text: string, plan: Plan): number {
  const length = utf8Length(text);
  plan.sizes.push(length);
  return delimitedSize(length);
}

/** Size of a Value message body (the value as the generated codec wraps it). */
function sizeValue(value: unknown, plan: Plan): number {
  switch (typeof value) {
    case "string":
      return 1 + stringSize(value, plan);
    case "number":
      return 9;
    case "boolean":
      return 2;
    case "undefined":
      return 0;
    case "object": {
      if (value === null) return 2;
      const slot = plan.sizes.push(0) - 1;
      const body = Array.isArray(value) ? sizeList(value, plan) : sizeStruct(value as Json, plan);
      plan.sizes[slot] = body;
      return 1 + delimitedSize(body);
    }
    default:
      throw new Error(`cannot encode a ${typeof value} in a google.protobuf.Value`);
  }
}

function sizeList(values: unknown[], plan: Plan): number {
  let size = 0;
  for (const value of values) {
    const slot = plan.sizes.push(0) - 1;
    const body = sizeValue(value, plan);
    plan.sizes[slot] = body;
    size += 1 + delimitedSize(body);
  }
  return size;
}

function sizeStruct(object: Json, plan: Plan): number {
  let size = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === undefined || key === "__proto__") continue; // Dropped by the generated codec's wrap, too.
    const slot = plan.sizes.push(0) - 1;
    let entry = key === "" ? 0 : 1 + stringSize(key, plan);
    const valueSlot = plan.sizes.push(0) - 1;
    const body = sizeValue(value, plan);
    plan.sizes[valueSlot] = body;
    entry += 1 + delimitedSize(body);
    plan.sizes[slot] = entry;
    size += 1 + delimitedSize(entry);
  }
  return size;
}

/**
 * Struct bodies of manifests that cannot change (see immutable.ts), encoded once: a manifest the
 * compose memo keeps goes into every later response of its composite. Held as long as the manifest.
 */
const encodedBodies = new WeakMap<object, Buffer>();

function frozenBody(object: Json): Buffer | undefined {
  if (!isDeeplyFrozen(object)) return undefined;
  let body = encodedBodies.get(object);
  if (body === undefined) encodedBodies.set(object, (body = encodeStruct(object)));
  return body;
}

function sizeResource(resource: Resource, plan: Plan): number {
  let size = 0;
  const frozen = resource.resource && frozenBody(resource.resource);
  if (frozen) size += 1 + delimitedSize(frozen.length);
  else if (resource.resource !== undefined) {
    const slot = plan.sizes.push(0) - 1;
    const body = sizeStruct(resource.resource, plan);
    plan.sizes[slot] = body;
    size += 1 + delimitedSize(body);
  }
  for (const [key, value] of Object.entries(resource.connectionDetails ?? {})) {
    const slot = plan.sizes.push(0) - 1;
    const entry = (key === "" ? 0 : 1 + stringSize(key, plan)) + (value.length === 0 ? 0 : 1 + delimitedSize(value.length));
    plan.sizes[slot] = entry;
    size += 1 + delimitedSize(entry);
  }
  if (resource.ready !== 0) size += 1 + varintSize(resource.ready);
  return size;
}

function sizeState(state: State, plan: Plan): number {
  let size = 0;
  if (state.composite !== undefined) {
    const slot = plan.sizes.push(0) - 1;
    const body = sizeResource(state.composite, plan);
    plan.sizes[slot] = body;
    size += 1 + delimitedSize(body);
  }
  for (const [key, value] of Object.entries(state.resources)) {
    const slot = plan.sizes.push(0) - 1;
    let entry = key === "" ? 0 : 1 + stringSize(key, plan);
    if (value !== undefined) {
      const valueSlot = plan.sizes.push(0) - 1;
      const body = sizeResource(value, plan);
      plan.sizes[valueSlot] = body;
      entry += 1 + delimitedSize(body);
    }
    plan.sizes[slot] = entry;
    size += 1 + delimitedSize(entry);
  }
  return size;
}

class Writer {
  pos = 0;
  next = 0;
  constructor(
    readonly buf: Buffer,
    readonly plan: Plan,
  ) {}

  varint(value: number): void {
    if (value < 0) {
      // A negative int32 is written as its 64-bit two's complement: ten bytes.
      let low = value >>> 0;
      for (let i = 0; i < 4; i++) {
        this.buf[this.pos++] = (low & 0x7f) | 0x80;
        low >>>= 7;
      }
      this.buf[this.pos++] = (low & 0x0f) | 0x70 | 0x80;
      for (let i = 0; i < 4; i++) this.buf[this.pos++] = 0xff;
      this.buf[this.pos++] = 0x01;
      return;
    }
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  /** Writes the next planned length. */
  length(): number {
    const length = this.plan.sizes[this.next++]!;
    this.varint(length);
    return length;
  }

  string(text: string): void {
    const length = this.length();
    if (length === text.length && length <= SHORT_STRING) {
      // ASCII (its UTF-8 length equals its UTF-16 length): written byte by byte.
      for (let i = 0; i < length; i++) this.buf[this.pos + i] = text.charCodeAt(i);
    } else if (length > 0) this.buf.write(text, this.pos, length, "utf8");
    this.pos += length;
  }

  bytes(value: Uint8Array): void {
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }
}

function writeValue(w: Writer, value: unknown): void {
  switch (typeof value) {
    case "string":
      w.buf[w.pos++] = 26;
      w.string(value);
      return;
    case "number":
      w.buf[w.pos++] = 17;
      w.buf.writeDoubleLE(value, w.pos);
      w.pos += 8;
      return;
    case "boolean":
      w.buf[w.pos++] = 32;
      w.buf[w.pos++] = value ? 1 : 0;
      return;
    case "undefined":
      return;
    default:
      if (value === null) {
        w.buf[w.pos++] = 8;
        w.buf[w.pos++] = 0;
      } else if (Array.isArray(value)) {
        w.buf[w.pos++] = 50;
        w.length();
        for (const item of value) {
          w.buf[w.pos++] = 10;
          w.length();
          writeValue(w, item);
        }
      } else {
        w.buf[w.pos++] = 42;
        w.length();
        writeStructBody(w, value as Json);
      }
  }
}

function writeStructBody(w: Writer, object: Json): void {
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === undefined || key === "__proto__") continue;
    w.buf[w.pos++] = 10;
    w.length();
    if (key !== "") {
      w.buf[w.pos++] = 10;
      w.string(key);
    }
    w.buf[w.pos++] = 18;
    w.length();
    writeValue(w, value);
  }
}

function writeResource(w: Writer, resource: Resource): void {
  const frozen = resource.resource && frozenBody(resource.resource);
  if (frozen) {
    w.buf[w.pos++] = 10;
    w.varint(frozen.length);
    w.bytes(frozen);
  } else if (resource.resource !== undefined) {
    w.buf[w.pos++] = 10;
    w.length();
    writeStructBody(w, resource.resource);
  }
  for (const [key, value] of Object.entries(resource.connectionDetails ?? {})) {
    w.buf[w.pos++] = 18;
    w.length();
    if (key !== "") {
      w.buf[w.pos++] = 10;
      w.string(key);
    }
    if (value.length !== 0) {
      w.buf[w.pos++] = 18;
      w.varint(value.length);
      w.bytes(value);
    }
  }
  if (resource.ready !== 0) {
    w.buf[w.pos++] = 24;
    w.varint(resource.ready);
  }
}

function writeState(w: Writer, state: State): void {
  if (state.composite !== undefined) {
    w.buf[w.pos++] = 10;
    w.length();
    writeResource(w, state.composite);
  }
  for (const [key, value] of Object.entries(state.resources)) {
    w.buf[w.pos++] = 18;
    w.length();
    if (key !== "") {
      w.buf[w.pos++] = 10;
      w.string(key);
    }
    if (value !== undefined) {
      w.buf[w.pos++] = 18;
      w.length();
      writeResource(w, value);
    }
  }
}

/** The SDK's bytes for one Struct-free field of a response, tag and length included. */
function sdkField(field: Partial<RunFunctionResponse>): Uint8Array {
  return RunFunctionResponse.encode({ results: [], conditions: [], ...field } as RunFunctionResponse).finish();
}

/** Encodes a RunFunctionResponse, byte for byte as the SDK's codec does. */
export function encodeRunFunctionResponse(rsp: RunFunctionResponse): Buffer {
  const plan: Plan = { sizes: [] };
  // Each step sizes (or SDK-encodes) one field, then writes it; kept in field-number order.
  const steps: Array<{ size: number; write: (w: Writer) => void }> = [];
  const blob = (field: Partial<RunFunctionResponse>) => {
    const bytes = sdkField(field);
    steps.push({ size: bytes.length, write: (w) => w.bytes(bytes) });
  };
  const delimited = (tag: number, body: number, write: (w: Writer) => void) => {
    steps.push({
      size: 1 + delimitedSize(body),
      write: (w) => {
        w.buf[w.pos++] = tag;
        w.length();
        write(w);
      },
    });
  };
  const planned = (measure: () => number) => {
    const slot = plan.sizes.push(0) - 1;
    const body = measure();
    plan.sizes[slot] = body;
    return body;
  };

  if (rsp.meta !== undefined) blob({ meta: rsp.meta });
  if (rsp.desired !== undefined) {
    const desired = rsp.desired;
    delimited(
      18,
      planned(() => sizeState(desired, plan)),
      (w) => writeState(w, desired),
    );
  }
  for (const result of rsp.results) blob({ results: [result] });
  if (rsp.context !== undefined) {
    const context = rsp.context;
    delimited(
      34,
      planned(() => sizeStruct(context, plan)),
      (w) => writeStructBody(w, context),
    );
  }
  if (rsp.requirements !== undefined) blob({ requirements: rsp.requirements });
  for (const condition of rsp.conditions) blob({ conditions: [condition] });
  if (rsp.output !== undefined) {
    const output = rsp.output;
    delimited(
      58,
      planned(() => sizeStruct(output, plan)),
      (w) => writeStructBody(w, output),
    );
  }

  const w = new Writer(Buffer.allocUnsafe(steps.reduce((total, step) => total + step.size, 0)), plan);
  for (const step of steps) step.write(w);
  if (w.pos !== w.buf.length || w.next !== plan.sizes.length) throw new Error("response encoder wrote a different size than it planned");
  return w.buf;
}

/** Encodes one plain object as a google.protobuf.Struct message (exported for the compatibility proofs). */
export function encodeStruct(object: Json): Buffer {
  const plan: Plan = { sizes: [] };
  const size = sizeStruct(object, plan);
  const w = new Writer(Buffer.allocUnsafe(size), plan);
  writeStructBody(w, object);
  return w.buf;
}

export { WireError };
