/**
 * What the composition and the failover orchestrator agree on, free of SDK imports so the
 * composition function can read it without loading the AWS SDK.
 */

/** Tag on a writer the orchestrator adds: which promotion to resume once it is available. */
export const RESUME_TAG = "dr-failover-mode";

/** RDS event "DB instance created", sent when a new instance is available; the events block routes it. */
export const INSTANCE_CREATED_EVENT = "RDS-EVENT-0005";
