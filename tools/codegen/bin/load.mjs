// Loads the generator from its TypeScript sources, so it never needs a build step of its own.
// Not through a loader such as tsx: its hooks thread and esbuild cost ~0.5 s CPU and ~80 MB on
// every run. The TypeScript compiler (a dependency anyway) strips the types of our few files into
// dist/, once per change of a source: each output starts with the hash of the source it came from.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";

const SRC = new URL("../src/", import.meta.url);
// At the same depth as src/, so that paths computed from import.meta.url stay right.
const OUT = new URL("../dist/", import.meta.url);

const OPTIONS = { module: "ESNext", target: "ES2022", verbatimModuleSyntax: true, rewriteRelativeImportExtensions: true };
const stamp = (source) => `// @mkp/codegen: transpiled from src/, ${createHash("sha256").update(JSON.stringify(OPTIONS)).update(source).digest("hex")}\n`;

/** Transpiles the sources that changed since their last transpile into dist/. */
async function transpile() {
  const names = (await readdir(SRC)).filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));
  let ts;
  await mkdir(OUT, { recursive: true });
  await Promise.all(
    names.map(async (name) => {
      const source = await readFile(new URL(name, SRC), "utf8");
      const target = new URL(name.replace(/\.ts$/, ".js"), OUT);
      const header = stamp(source);
      const current = await readFile(target, "utf8").catch(() => "");
      if (current.startsWith(header)) return;
      ts ??= createRequire(import.meta.url)("typescript");
      const { outputText } = ts.transpileModule(source, {
        fileName: name,
        compilerOptions: { ...OPTIONS, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        reportDiagnostics: false,
      });
      // Renamed into place: generator runs started side by side never import a half-written file.
      const partial = new URL(`${name}.${process.pid}.tmp`, OUT);
      await writeFile(partial, header + outputText);
      await rename(partial, target);
    }),
  );
}

/**
 * The generator's module `entry` (a file of src/, named `.js`), from its current sources.
 * @param {string} [entry]
 * @returns {Promise<any>}
 */
export async function loadGenerator(entry = "index.js") {
  await transpile();
  return import(new URL(entry, OUT).href);
}
