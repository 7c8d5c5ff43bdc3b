import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { OPERATIONS } from "@mkp/client/internal";
import { HANDWRITTEN_OPERATIONS, OPERATION_EFFECTS } from "@mkp/mock-server";
import { COMMAND_FOR_OPERATION } from "../../../packages/cli/src/spec-commands.ts";
import { operationTools } from "../../../packages/mcp/src/tools.ts";

/**
 * The READMEs' lists of operations, tools and commands, written from the spec's generated
 * constants and the packages' own sources between `<!-- generated: NAME -->` and
 * `<!-- /generated -->`, so no README names an operation the spec lacks or misses a new one.
 * `pnpm generate` writes them; `pnpm generate --check` fails while one is stale.
 */
type Table = { readme: string; name: string; lines: () => string[] };

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll("|", "\\|").replace(/\s+/g, " ").trim();
const route = (operationId: string) => {
  const operation = OPERATIONS[operationId as keyof typeof OPERATIONS];
  return `${operation.method} ${operation.path}`;
};

const TABLES: Table[] = [
  {
    readme: "packages/mcp/README.md",
    name: "tools",
    lines: () => [
      "| tool | calls | what it does | inputs |",
      "| --- | --- | --- | --- |",
      ...operationTools().map(
        (tool) =>
          `| ${code(tool.name)} | ${code(`${tool.method} ${tool.path}`)} | ${cell(tool.title)} | ${
            Object.keys(tool.inputSchema.properties ?? {})
              .map(code)
              .join(", ") || "—"
          } |`,
      ),
    ],
  },
  {
    readme: "packages/cli/README.md",
    name: "operations",
    lines: () => {
      const commands: Readonly<Record<string, string>> = COMMAND_FOR_OPERATION;
      return [
        "| operation | what it does | command |",
        "| --- | --- | --- |",
        ...Object.entries(OPERATIONS).map(
          ([operationId, operation]) =>
            `| ${code(route(operationId))} | ${cell(operation.summary ?? operationId)} | ${commands[operationId] ? code(commands[operationId]) : "none yet"} |`,
        ),
      ];
    },
  },
  {
    readme: "packages/mock-server/README.md",
    name: "operations",
    lines: () => [
      "| operation | what it does | answered by | what a call changes |",
      "| --- | --- | --- | --- |",
      ...Object.entries(OPERATIONS).map(([operationId, operation]) => {
        const handled = HANDWRITTEN_OPERATIONS[operationId];
        const how =
          handled === undefined ? "the spec's example" : `a hand-written handler${handled.length > 0 ? ` (acts on ${handled.map(code).join(", ")})` : ""}`;
        const effects = OPERATION_EFFECTS[operationId]?.effects ?? [];
        return `| ${code(route(operationId))} | ${cell(operation.summary ?? operationId)} | ${how} | ${effects.length > 0 ? cell(effects.join("; ")) : "nothing"} |`;
      }),
    ],
  },
];

const begin = (name: string) => `<!-- generated: ${name} (pnpm generate writes this table from the spec; do not edit) -->`;
const END = "<!-- /generated -->";

/** `text` with the generated block `name` rewritten; an error names the markers when they are missing. */
function withTable(text: string, file: string, name: string, lines: string[]): string {
  const start = text.indexOf(begin(name));
  const end = start === -1 ? -1 : text.indexOf(END, start);
  if (start === -1 || end === -1)
    throw new Error(`${file}: the markers of the generated ${name} table are missing: put "${begin(name)}" and "${END}" where it goes`);
  return `${text.slice(0, start)}${begin(name)}\n${lines.join("\n")}\n${text.slice(end)}`;
}

/** Each README whose tables differ from what the sources give, with its new text. */
export async function staleReadmes(root: string): Promise<{ file: string; text: string }[]> {
  const stale: { file: string; text: string }[] = [];
  for (const readme of new Set(TABLES.map((table) => table.readme))) {
    const file = join(root, readme);
    const text = await readFile(file, "utf8");
    let next = text;
    for (const table of TABLES.filter((entry) => entry.readme === readme)) next = withTable(next, readme, table.name, table.lines());
    if (next !== text) stale.push({ file, text: next });
  }
  return stale;
}

/** Writes the READMEs' generated tables (or, with `check`, only says which are stale); the files it names, relative to `root`. */
export async function writeReadmeTables(root: string, check: boolean): Promise<string[]> {
  const stale = await staleReadmes(root);
  if (!check) for (const { file, text } of stale) await writeFile(file, text);
  return stale.map(({ file }) => relative(root, file));
}
