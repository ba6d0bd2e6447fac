/**
 * Values that can no longer change: deeply frozen, and known to be. The compose memo shares its
 * kept manifests between responses, and the codec encodes such a manifest once and copies the
 * bytes into every later response (a shallowly frozen object could still change inside, so only
 * what passed through deepFreeze counts).
 */
const deeplyFrozen = new WeakSet<object>();

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !deeplyFrozen.has(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
    deeplyFrozen.add(value);
  }
  return value;
}

export const isDeeplyFrozen = (value: object): boolean => deeplyFrozen.has(value);
