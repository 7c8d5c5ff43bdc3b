/**
 * The README's runnable examples: every fenced block whose info string is exactly `ts` (a
 * `ts fragment` block is shown, not run). `pnpm example` runs them; the consumer test type-checks
 * and runs them in a project outside the workspace, so they cannot rot.
 */
export function runnableExamples(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}
