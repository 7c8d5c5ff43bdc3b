/**
 * The code samples every operation has, written down once for the docs (which build and scaffold
 * them) and the release checks (which list the ones still to review).
 */

/** One language of the samples: the file each operation's folder holds, and how Redoc shows it. */
export interface SampleLanguage {
  /** The file name inside `packages/docs/samples/<operationId>/`. */
  readonly file: string;
  /** The `lang` of the `x-codeSamples` entry (picks the syntax highlighting). */
  readonly lang: string;
  /** The tab label the reader sees. */
  readonly label: string;
  /** Whether the file is a template with `{{CONSTANT}}` placeholders (the docs' `SAMPLE_PLACEHOLDERS`). */
  readonly template: boolean;
}

/** The four languages every operation has a sample in, in the order of the tabs. */
export const SAMPLE_LANGUAGES: readonly SampleLanguage[] = [
  // TypeScript samples are plain modules: type-checked and executed as they are shown.
  { file: "sample.ts", lang: "TypeScript", label: "TypeScript", template: false },
  { file: "curl.sh", lang: "curl", label: "curl", template: true },
  { file: "python.py", lang: "Python", label: "Python", template: true },
  { file: "php.php", lang: "PHP", label: "PHP", template: true },
];

/** The first line of a scaffolded sample (after `<?php` in PHP): deleted once a person has reviewed it. */
export const SCAFFOLD_MARK = "Scaffolded from the spec by `pnpm docs:samples`: review it, then delete this line.";
