/**
 * `pnpm build` of `@mkp/docs`: the bundled spec of `@mkp/client` plus the sample files →
 * `dist/openapi.json`, `dist/openapi.yaml` and `dist/index.html` (Redoc, inlined: one file that
 * works with no network).
 * @packageDocumentation
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { injectCodeSamples, loadCodeSamples, SampleError, samplePlaceholders, specOperations, type OpenApiDocument } from "./code-samples.js";
import { sampleParameterProblems } from "./sample-parameters.js";
import { dataUri, readOpenApiSettings, themeCss } from "./theme.js";

/** The package folder (`packages/docs`). */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root, where `redocly.yaml` lives. */
export const REPO_ROOT = resolve(PACKAGE_DIR, "../..");

/** Options of {@link buildDocs}; every path has a default inside the repository. */
export interface BuildOptions {
  /** The bundled spec. Default: `@mkp/client/openapi.json`. */
  specFile?: string | undefined;
  /** The sample folders. Default: `packages/docs/samples`. */
  samplesDir?: string | undefined;
  /** Where the page and the spec files go. Default: `packages/docs/dist`. */
  outDir?: string | undefined;
  /** The Redocly config with the theme and build-docs settings. Default: the root `redocly.yaml`. */
  configFile?: string | undefined;
}

/** What {@link buildDocs} wrote. */
export interface BuildResult {
  readonly html: string;
  readonly json: string;
  readonly yaml: string;
  readonly operations: number;
  readonly samples: number;
  readonly milliseconds: number;
}

/** A build step that failed: redocly's exit, or a page that would still reach the network. */
export class DocsBuildError extends Error {
  override readonly name = "DocsBuildError";
}

/**
 * Redoc 3 always renders its "API docs by Redocly" badge with an image from cdn.redoc.ly, and no
 * option turns it off: the page points those two images at a local drawing instead.
 */
const REDOCLY_BADGE_IMAGES = ["https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg"] as const;

/** The Redocly wordmark of the attribution badge, drawn locally (text, no network). */
const REDOCLY_BADGE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="14" viewBox="0 0 56 14"><text x="0" y="11" font-family="system-ui,sans-serif" font-size="11" font-weight="600" fill="#5a5a5a">Redocly</text></svg>';

function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolveRun(output) : reject(new DocsBuildError(`${command} ${args.join(" ")} exited with ${code}:\n${output}`))));
  });
}

/** Replaces each badge image URL (it must be there: a Redoc upgrade that moves it fails the build). */
function localiseBadge(html: string): string {
  const badge = `data:image/svg+xml;base64,${Buffer.from(REDOCLY_BADGE_SVG).toString("base64")}`;
  let out = html;
  for (const url of REDOCLY_BADGE_IMAGES) {
    if (!out.includes(url)) throw new DocsBuildError(`the page no longer names ${url}: check what Redoc loads now (pnpm --filter @mkp/docs test)`);
    out = out.split(url).join(badge);
  }
  return out;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  // The dev server may read the page while it is being rebuilt: never serve half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/**
 * Builds the docs: injects every operation's samples as `x-codeSamples`, writes the spec as JSON
 * and YAML, renders `index.html` with `redocly build-docs --inlineBundle` and the root
 * `redocly.yaml` (template, theme, options), and makes the page independent of any network.
 */
export async function buildDocs(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const specFile = options.specFile ?? require.resolve("@mkp/client/openapi.json");
  const samplesDir = options.samplesDir ?? join(PACKAGE_DIR, "samples");
  const outDir = options.outDir ?? join(PACKAGE_DIR, "dist");
  const configFile = options.configFile ?? join(REPO_ROOT, "redocly.yaml");

  const bundled = JSON.parse(await readFile(specFile, "utf8")) as OpenApiDocument;
  const operations = specOperations(bundled);
  const samples = await loadCodeSamples(samplesDir, operations.keys(), samplePlaceholders(bundled));
  const unknown = await sampleParameterProblems(bundled, samplesDir);
  if (unknown.length > 0) throw new SampleError(`a sample sends an input its operation does not have (renamed in the spec?):\n  ${unknown.join("\n  ")}`);
  const spec = injectCodeSamples(bundled, samples);
  const logo = await dataUri(join(PACKAGE_DIR, "assets/logo.svg"), "image/svg+xml");
  const favicon = await dataUri(join(PACKAGE_DIR, "assets/favicon.svg"), "image/svg+xml");
  spec.info["x-logo"] = { url: logo, altText: `${spec.info.title} logo`, ...(spec.info.contact?.url ? { href: spec.info.contact.url } : {}) };

  await mkdir(outDir, { recursive: true });
  const json = join(outDir, "openapi.json");
  const yaml = join(outDir, "openapi.yaml");
  const html = join(outDir, "index.html");
  await writeAtomically(json, `${JSON.stringify(spec, null, 2)}\n`);
  await writeAtomically(yaml, stringify(spec, { lineWidth: 0 }));

  const settings = await readOpenApiSettings(configFile);
  const rendered = join(outDir, `index.${process.pid}.redoc.html`);
  await run(
    join(PACKAGE_DIR, "node_modules/.bin/redocly"),
    [
      "build-docs",
      json,
      "--inlineBundle",
      `--output=${rendered}`,
      `--config=${configFile}`,
      `--title=${spec.info.title} ${spec.info.version} reference`,
      `--templateOptions.favicon=${favicon}`,
      `--templateOptions.description=${String(spec.info.summary ?? spec.info.title)}`,
      `--templateOptions.themeCss=${themeCss(settings.theme)}`,
    ],
    PACKAGE_DIR,
  );
  const page = localiseBadge(await readFile(rendered, "utf8"));
  await writeAtomically(html, page);
  await rm(rendered, { force: true });

  let sampleCount = 0;
  for (const entries of samples.values()) sampleCount += entries.length;
  return { html, json, yaml, operations: operations.size, samples: sampleCount, milliseconds: Math.round(performance.now() - started) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = await buildDocs();
    const size = Math.round((await readFile(result.html)).byteLength / 1024);
    console.log(`docs: ${result.operations} operations, ${result.samples} code samples → ${result.html} (${size} KiB) in ${result.milliseconds} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
