/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * The mean of the smallest values after dropping the largest `fraction` of them (rounded down, so
 * at least one value is kept): with the default 0.25, the mean of the fastest 75 % of a list of
 * times. Host noise on a shared machine only ever adds time, in rare 2–5× spikes that decide a
 * plain mean; this keeps the bulk of the distribution and ignores its upper tail.
 */
export function upperTrimmedMean(values: readonly number[], fraction = 0.25): number {
  if (values.length === 0) return Number.NaN;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`trim fraction must be in [0, 1), got ${fraction}`);
  // The epsilon keeps e.g. 0.1 × 30 (2.9999…) from dropping one value too few.
  const drop = Math.min(values.length - 1, Math.floor(values.length * fraction + 1e-9));
  const kept = [...values].sort((a, b) => a - b).slice(0, values.length - drop);
  return kept.reduce((sum, v) => sum + v, 0) / kept.length;
}

/** Median, minimum and maximum of several runs of one measurement. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** A number with `digits` significant figures, grouped for reading (`12 345`, `0.973`). */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  const decimals = abs >= 10 ** digits ? 0 : Math.max(0, digits - 1 - Math.floor(Math.log10(abs || 1)));
  const fixed = value.toFixed(Math.min(decimals, 6));
  const [whole, fraction] = fixed.split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** `median (min–max)` with the unit after the median. */
export function formatSpread(s: Spread, unit = "", digits = 3): string {
  const u = unit === "" ? "" : unit === "×" ? "×" : ` ${unit}`;
  if (s.runs <= 1 || s.min === s.max) return `${formatNumber(s.median, digits)}${u}`;
  return `${formatNumber(s.median, digits)}${u} (${formatNumber(s.min, digits)}–${formatNumber(s.max, digits)})`;
}

/** A ratio such as `0.97×`. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

/** A whole number with thousands grouped (`856 691`). */
export function formatInteger(value: number): string {
  return Number.isFinite(value)
    ? Math.round(value)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, " ")
    : "–";
}
