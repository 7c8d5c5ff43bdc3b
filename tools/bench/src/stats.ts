/**
 * Aggregates over a few whole runs (processes, blocks) and formats figures; tinybench does the
 * statistics of the timed iterations themselves.
 */

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
