/** The response cache's and the compose memo's size settings: the default, an override, and bad values refused by name. */
import { DEFAULT_RESPONSE_CACHE_BYTES, responseCacheBytes } from "../../functions/src/server.js";
import { DEFAULT_MEMO_BYTES } from "../../functions/src/function.js";
import { mebibytesFromEnv } from "../../functions/src/settings.js";

describe("FUNCTION_RESPONSE_CACHE_MIB", () => {
  it("defaults when unset or empty", () => {
    expect(responseCacheBytes({})).toBe(DEFAULT_RESPONSE_CACHE_BYTES);
    expect(responseCacheBytes({ FUNCTION_RESPONSE_CACHE_MIB: "" })).toBe(DEFAULT_RESPONSE_CACHE_BYTES);
  });

  it.each([
    ["0", 0],
    ["32", 32 * 1024 * 1024],
  ])("takes %s MiB", (text, bytes) => {
    expect(responseCacheBytes({ FUNCTION_RESPONSE_CACHE_MIB: text })).toBe(bytes);
  });

  it.each(["-1", "1.5", "lots", "4097"])("refuses %s, naming the setting and the rule", (text) => {
    expect(() => responseCacheBytes({ FUNCTION_RESPONSE_CACHE_MIB: text })).toThrow(
      /^FUNCTION_RESPONSE_CACHE_MIB: must be a whole number of MiB from 0 to 4096/,
    );
  });
});

describe("FUNCTION_MEMO_MIB", () => {
  it("sizes the compose memo by the same rule, and names itself when refused", () => {
    expect(mebibytesFromEnv("FUNCTION_MEMO_MIB", DEFAULT_MEMO_BYTES, {})).toBe(DEFAULT_MEMO_BYTES);
    expect(mebibytesFromEnv("FUNCTION_MEMO_MIB", DEFAULT_MEMO_BYTES, { FUNCTION_MEMO_MIB: "0" })).toBe(0);
    expect(() => mebibytesFromEnv("FUNCTION_MEMO_MIB", DEFAULT_MEMO_BYTES, { FUNCTION_MEMO_MIB: "8MiB" })).toThrow(
      /^FUNCTION_MEMO_MIB: must be a whole number of MiB from 0 to 4096, got "8MiB"/,
    );
  });
});
