/**
 * What the composition and the api handler agree on about messaging, free of SDK imports so the
 * composition function can read it without loading the AWS SDK.
 */

/** Message attribute naming the region whose API sent the message (both copies carry the same). */
export const ORIGIN_ATTRIBUTE = "dr-origin-region";

/** Messages the API could not send to the other region's queue; in METRIC_NAMESPACE, dimensions `Region` and `TargetRegion`. */
export const FANOUT_FAILURE_METRIC = "QueueFanOutFailures";
