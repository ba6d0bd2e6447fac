/**
 * How CloudWatch evaluates a metric alarm, as its user guide describes it ("Evaluating an alarm",
 * "Configuring how CloudWatch alarms treat missing data"): each period's data point is the
 * statistic over the samples in that period; the alarm looks at the last `evaluationPeriods` data
 * points and is in ALARM when at least `datapointsToAlarm` (default: all of them) breach the
 * threshold. Missing data is good (`notBreaching`), bad (`breaching`), keeps the state (`ignore`),
 * or is left out (`missing`: with no data at all the alarm has INSUFFICIENT_DATA).
 *
 * Used to judge composed alarms by what they do: a value that shows the failure must alarm, a
 * healthy one must not. Names CloudWatch does not know are refused, as its API refuses them.
 */

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** The fields of a MetricAlarm's `forProvider` that decide its state. */
export interface AlarmFields {
  statistic?: string;
  extendedStatistic?: string;
  comparisonOperator?: string;
  threshold?: number;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  treatMissingData?: string;
}

/** The samples published in each minute, oldest first; `undefined` is a minute without any. */
export type Minutes = ReadonlyArray<readonly number[] | undefined>;

const COMPARISONS: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

const STATISTICS: Record<string, (samples: readonly number[]) => number> = {
  SampleCount: (s) => s.length,
  Sum: (s) => s.reduce((a, b) => a + b, 0),
  Average: (s) => s.reduce((a, b) => a + b, 0) / s.length,
  Minimum: (s) => Math.min(...s),
  Maximum: (s) => Math.max(...s),
};

/** pNN (nearest rank), the form of extended statistic the composition uses. */
function percentile(name: string): ((samples: readonly number[]) => number) | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?)$/.exec(name);
  if (!match) return undefined;
  const p = Number(match[1]);
  return (samples) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  };
}

function statisticOf(alarm: AlarmFields): (samples: readonly number[]) => number {
  if (alarm.statistic !== undefined && alarm.extendedStatistic !== undefined)
    throw new Error("statistic and extendedStatistic are exclusive");
  if (alarm.extendedStatistic !== undefined) {
    const stat = percentile(alarm.extendedStatistic);
    if (!stat) throw new Error(`unknown extended statistic ${JSON.stringify(alarm.extendedStatistic)}`);
    return stat;
  }
  const stat = alarm.statistic === undefined ? undefined : STATISTICS[alarm.statistic];
  if (!stat) throw new Error(`unknown statistic ${JSON.stringify(alarm.statistic)}`);
  return stat;
}

const TREATMENTS = new Set(["breaching", "notBreaching", "ignore", "missing"]);

/**
 * The alarm's state after `minutes` of samples, starting from `previous`. The period must be a
 * whole number of minutes and the minutes cover whole periods (the newest period is the last).
 */
export function alarmState(alarm: AlarmFields, minutes: Minutes, previous: AlarmState = "INSUFFICIENT_DATA"): AlarmState {
  const compare = alarm.comparisonOperator === undefined ? undefined : COMPARISONS[alarm.comparisonOperator];
  if (!compare) throw new Error(`unknown comparison operator ${JSON.stringify(alarm.comparisonOperator)}`);
  const stat = statisticOf(alarm);
  const treatment = alarm.treatMissingData ?? "missing";
  if (!TREATMENTS.has(treatment)) throw new Error(`unknown treatMissingData ${JSON.stringify(treatment)}`);
  const { threshold, period, evaluationPeriods } = alarm;
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw new Error(`threshold ${threshold} is not a number`);
  if (typeof period !== "number" || period < 60 || period % 60 !== 0) throw new Error(`period ${period} is not a whole number of minutes`);
  if (typeof evaluationPeriods !== "number" || evaluationPeriods < 1) throw new Error(`evaluationPeriods ${evaluationPeriods} is below 1`);
  if (evaluationPeriods * period > 86_400) throw new Error(`evaluationPeriods x period is ${evaluationPeriods * period} s, over one day`);
  const toAlarm = alarm.datapointsToAlarm ?? evaluationPeriods;
  if (toAlarm < 1 || toAlarm > evaluationPeriods) throw new Error(`datapointsToAlarm ${toAlarm} is not within 1..${evaluationPeriods}`);

  const perPeriod = period / 60;
  const points: Array<number | undefined> = [];
  for (let end = minutes.length; end > 0 && points.length < evaluationPeriods; end -= perPeriod) {
    const samples = minutes.slice(Math.max(0, end - perPeriod), end).flatMap((m) => m ?? []);
    points.unshift(samples.length ? stat(samples) : undefined);
  }
  while (points.length < evaluationPeriods) points.unshift(undefined);

  const present = points.filter((p): p is number => p !== undefined);
  const breaching = present.filter((p) => compare(p, threshold)).length;
  const missing = points.length - present.length;
  switch (treatment) {
    case "breaching":
      return breaching + missing >= toAlarm ? "ALARM" : "OK";
    case "notBreaching":
      return breaching >= toAlarm ? "ALARM" : "OK";
    case "ignore":
      if (present.length === 0) return previous;
      return breaching >= toAlarm ? "ALARM" : present.length - breaching > evaluationPeriods - toAlarm ? "OK" : previous;
    default:
      if (present.length === 0) return "INSUFFICIENT_DATA";
      return breaching >= Math.min(toAlarm, present.length) ? "ALARM" : "OK";
  }
}

/** `count` minutes, each with the one sample `value` (or none, for `undefined`). */
export const steady = (count: number, value: number | undefined): Minutes =>
  Array.from({ length: count }, () => (value === undefined ? undefined : [value]));
