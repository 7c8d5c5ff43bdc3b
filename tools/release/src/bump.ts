/** A semver bump, as changesets and `redocly diff` name them. */
export type Bump = "patch" | "minor" | "major";

const ORDER: Record<Bump | "none", number> = { none: 0, patch: 1, minor: 2, major: 3 };

export function isBump(value: unknown): value is Bump {
  return value === "patch" || value === "minor" || value === "major";
}

/** The larger of two bumps (`none` when neither is a bump). */
export function maxBump(a: Bump | "none", b: Bump | "none"): Bump | "none" {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** Whether `given` is at least as large as `needed`. */
export function covers(given: Bump | "none", needed: Bump | "none"): boolean {
  return ORDER[given] >= ORDER[needed];
}
