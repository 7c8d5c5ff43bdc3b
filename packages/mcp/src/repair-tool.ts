import type { Fix, MakeprintableClient } from "@mkp/client";
import { isUrl, OutputExistsError, RepairInputError, repairModel, sourceFileName, type FixOptions } from "@mkp/node";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { isAbsolute } from "node:path";
import { invalidInput, regularFile } from "./call-operation.js";

/** A progress notification's content: how far (0–100 over the whole repair) and what is happening. */
export type ProgressReport = (progress: number, message: string) => Promise<void>;

/**
 * `repair_model`: checks `source` (an absolute path of a regular file, or an http(s) URL) and
 * `output` (an absolute path), then `repairModel` from `@mkp/node` uploads, repairs, waits and
 * writes the repaired file. Progress runs 0 (uploading) → 1–99 (the fix's own 0–100 %) → 100 (downloading).
 */
export async function repairTool(
  client: MakeprintableClient,
  args: Record<string, unknown>,
  signal: AbortSignal,
  report: ProgressReport | undefined,
): Promise<CallToolResult> {
  const { source, output, overwrite, ...fix } = args as { source: string; output: string; overwrite?: boolean } & FixOptions;
  if (!isUrl(source)) await regularFile("source", source);
  if (!isAbsolute(output)) throw invalidInput("output", `give an absolute path (${JSON.stringify(output.slice(0, 200))} is relative)`);
  const name = sourceFileName(source);
  // Progress notifications must grow: only a larger value is sent.
  let sent = -1;
  const progress = (value: number, message: string) => {
    if (!report || value <= sent) return;
    sent = value;
    void report(value, message).catch(() => {});
  };
  try {
    const result = await repairModel(
      client,
      { source, output, overwrite: overwrite ?? false, fix },
      {
        signal,
        // An agent waits minutes at most: poll at least every 5 s so its progress moves.
        wait: { maxIntervalMs: 5000 },
        onStage: (stage) => {
          if (stage === "uploading") progress(0, `uploading ${name}`);
          if (stage === "downloading") progress(100, "downloading the repaired file");
        },
        onProgress: (polled: Fix) => {
          const percent = Math.max(0, Math.min(100, Number(polled.progress) || 0));
          progress(1 + Math.floor(percent * 0.98), `fix ${polled.id}: ${String(polled.status ?? "")} ${percent}%`);
        },
      },
    );
    const summary = `Repaired ${name} → ${result.output} (fix ${result.fix.id}, ${result.bytes} bytes).`;
    return {
      content: [
        {
          type: "text",
          text: `${summary}\n\n${JSON.stringify({ item: result.item, fix: result.fix, download_url: result.fix.download_url, output: result.output, bytes: result.bytes }, null, 2)}`,
        },
      ],
    };
  } catch (error) {
    if (error instanceof OutputExistsError) throw invalidInput("output", `${error.path} exists: pass overwrite: true to replace it, or choose another output`);
    if (error instanceof RepairInputError) throw invalidInput(error.field, error.message);
    throw error;
  }
}
