import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { transform } from "esbuild";
import { startMockServer } from "@mkp/mock-server";
import type { ReleaseLayout } from "./paths.ts";
import { runnableExamples } from "./readme-examples.ts";
import { runCommand } from "./run-command.ts";

/**
 * `pnpm example`: the README's examples, exactly as written, against a sandbox started here
 * (fixes done in under a second). Returns the exit code of the first that fails, else 0.
 */
export async function runReadmeExamples(layout: ReleaseLayout): Promise<number> {
  const examples = runnableExamples(await readFile(join(layout.root, "README.md"), "utf8"));
  // Inside this package, so `@mkp/client` resolves from its node_modules.
  const dir = join(layout.root, "tools/release/node_modules/.cache/mkp-readme");
  await mkdir(dir, { recursive: true });
  const sandbox = await startMockServer({ fixTiming: { queuedMs: 200, processingMs: 600 } });
  try {
    console.log(`sandbox: ${sandbox.apiUrl}`);
    for (const [index, source] of examples.entries()) {
      const file = join(dir, `example-${index + 1}.mjs`);
      await writeFile(file, (await transform(source, { loader: "ts", format: "esm" })).code);
      console.log(`\n▶ README example ${index + 1}`);
      const env = { ...process.env, MAKEPRINTABLE_BASE_URL: sandbox.apiUrl, MAKEPRINTABLE_API_KEY: sandbox.demo.apiKey };
      const result = await runCommand(process.execPath, [file], { cwd: dir, env, echo: true });
      if (result.code !== 0) return result.code;
    }
    return 0;
  } finally {
    await sandbox.close();
  }
}
