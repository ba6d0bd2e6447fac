/**
 * Whether an EventBridge event pattern matches an event, as the EventBridge user guide describes
 * it ("Event patterns"): every field the pattern names must be in the event; a list matches when
 * the event's value (or, for a list in the event, any of its values) equals one of its entries; an
 * object matches the event's object field by field. Only exact values are supported (the
 * composition uses no prefix, numeric or exists filters); an empty list or object, which
 * EventBridge refuses, is refused here too.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  const entries = Object.entries(pattern);
  if (entries.length === 0) throw new Error("an empty pattern object: EventBridge refuses it");
  return entries.every(([key, want]) => {
    const have = event[key];
    if (Array.isArray(want)) {
      if (want.length === 0) throw new Error(`${key}: an empty list matches nothing; EventBridge refuses it`);
      for (const w of want) if (w !== null && typeof w === "object") throw new Error(`${key}: only exact values are supported`);
      const values = Array.isArray(have) ? have : [have];
      return values.some((v) => v !== undefined && want.includes(v as Json));
    }
    if (want !== null && typeof want === "object") {
      return (
        have !== null &&
        typeof have === "object" &&
        !Array.isArray(have) &&
        matches(want as Record<string, unknown>, have as Record<string, unknown>)
      );
    }
    throw new Error(`${key}: a pattern's leaves are lists, not ${JSON.stringify(want)}`);
  });
}
