/**
 * Branding: the `openapi.theme` settings of the root `redocly.yaml` (Redoc's theme object) turned
 * into the CSS custom properties Redoc 3 styles itself with, plus the logo as a data URI.
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";

/** The `openapi` section of `redocly.yaml` that build-docs reads, as far as branding goes. */
export interface RedoclyOpenApiSettings {
  theme?: RedocTheme;
  [key: string]: unknown;
}

/** The theme settings we map (Redoc's theme object; Redoc 3 ignores it, we turn it into CSS). */
export interface RedocTheme {
  colors?: { primary?: { main?: string }; text?: { primary?: string } };
  typography?: { fontFamily?: string; code?: { fontFamily?: string }; headings?: { fontFamily?: string } };
  sidebar?: { backgroundColor?: string; textColor?: string };
  rightPanel?: { backgroundColor?: string };
}

/** A theme setting without a CSS mapping: the build fails rather than ignore a brand setting. */
export class ThemeError extends Error {
  override readonly name = "ThemeError";
}

/** Reads the `openapi` settings of a `redocly.yaml`. */
export async function readOpenApiSettings(configFile: string): Promise<RedoclyOpenApiSettings> {
  const config = parse(await readFile(configFile, "utf8")) as { openapi?: RedoclyOpenApiSettings } | null;
  return config?.openapi ?? {};
}

/** Theme paths and the Redoc 3 custom properties each one sets. */
const MAPPING: Readonly<Record<string, readonly string[]>> = {
  "colors.primary.main": ["--mkp-primary"],
  "colors.text.primary": ["--text-color-primary", "--heading-text-color"],
  "typography.fontFamily": ["--font-family-base"],
  "typography.headings.fontFamily": ["--heading-font-family", "--h1-font-family", "--h2-font-family", "--h3-font-family"],
  "typography.code.fontFamily": ["--font-family-monospaced", "--code-font-family"],
  "sidebar.backgroundColor": ["--sidebar-bg-color"],
  "sidebar.textColor": ["--sidebar-text-color"],
  "rightPanel.backgroundColor": ["--panel-bg-color"],
};

function leaves(value: unknown, prefix = ""): [string, string][] {
  if (value === null || typeof value !== "object") return [[prefix, String(value)]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}

/** A CSS value must not end the declaration or the style element it is written into. */
function cssValue(path: string, value: string): string {
  if (/[;{}<>]/.test(value)) throw new ThemeError(`redocly.yaml openapi.theme.${path}: ${JSON.stringify(value)} is not a plain CSS value`);
  return value;
}

/**
 * The CSS for a theme: custom properties on `:root`, and Redoc's brand scale (`--color-brand-1`
 * … `-9`) mixed from the primary colour.
 *
 * @throws {ThemeError} for a theme setting with no CSS mapping, or a value that is not plain CSS.
 */
export function themeCss(theme: RedocTheme = {}): string {
  const declarations: string[] = [];
  for (const [path, value] of leaves(theme)) {
    const properties = MAPPING[path];
    if (!properties)
      throw new ThemeError(
        `redocly.yaml openapi.theme.${path} has no CSS mapping in packages/docs/scripts/theme.ts (mapped: ${Object.keys(MAPPING).join(", ")})`,
      );
    for (const property of properties) declarations.push(`${property}: ${cssValue(path, value)};`);
  }
  if (theme.colors?.primary?.main) {
    // Redoc 3 derives buttons, active menu items and tabs from this 1 (lightest) … 9 (darkest) scale.
    const scale: [number, string][] = [
      [1, "white 92%"],
      [2, "white 84%"],
      [3, "white 68%"],
      [4, "white 45%"],
      [5, "white 20%"],
      [6, "white 0%"],
      [7, "black 12%"],
      [8, "black 24%"],
      [9, "black 38%"],
    ];
    for (const [step, mix] of scale) declarations.push(`--color-brand-${step}: color-mix(in srgb, var(--mkp-primary), ${mix});`);
    declarations.push(
      "--link-color-primary: var(--mkp-primary);",
      "--link-color-primary-hover: var(--color-brand-8);",
      "--link-color-visited: var(--color-brand-8);",
    );
  }
  return `:root {\n  ${declarations.join("\n  ")}\n}`;
}

/** A file as a `data:` URI, so the page loads nothing from anywhere. */
export async function dataUri(file: string, mediaType: string): Promise<string> {
  return `data:${mediaType};base64,${(await readFile(file)).toString("base64")}`;
}
