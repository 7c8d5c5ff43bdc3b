// The build's guards: samples that do not match the spec, and theme settings it cannot honour,
// stop the build with a message that says what to fix.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SERVER_URL, TOKEN_URL } from "@mkp/client";
import { PACKAGE_DIR } from "../scripts/build.js";
import {
  fillPlaceholders,
  injectCodeSamples,
  loadCodeSamples,
  SAMPLE_PLACEHOLDERS,
  SampleError,
  samplePlaceholders,
  specOperations,
  type OpenApiDocument,
} from "../scripts/code-samples.js";
import { sampleParameterProblems, sentNames } from "../scripts/sample-parameters.js";
import { scaffoldSamples } from "../scripts/scaffold-samples.js";
import { themeCss, ThemeError } from "../scripts/theme.js";

let samplesDir: string;
let spec: OpenApiDocument;

beforeEach(async () => {
  samplesDir = join(await mkdtemp(join(tmpdir(), "mkp-docs-inputs-")), "samples");
  await cp(join(PACKAGE_DIR, "samples"), samplesDir, { recursive: true });
  spec = JSON.parse(await readFile(join(PACKAGE_DIR, "node_modules/@mkp/client/openapi.json"), "utf8")) as OpenApiDocument;
});

afterEach(async () => {
  await rm(join(samplesDir, ".."), { recursive: true, force: true });
});

describe("loadCodeSamples", () => {
  it("gives every operation of the spec its four samples, templates filled from the spec", async () => {
    const operations = specOperations(spec);
    const samples = await loadCodeSamples(samplesDir, operations.keys(), samplePlaceholders(spec));
    expect(samples.size).toBe(operations.size);
    for (const entries of samples.values()) expect(entries.map((entry) => entry.label)).toEqual(["TypeScript", "curl", "Python", "PHP"]);
    const curl = samples.get("createToken")!.find((entry) => entry.label === "curl")!.source;
    expect(curl).toContain(`curl "${TOKEN_URL}"`);
    expect(curl).toContain("grant_type=authorization_code");
    expect(samples.get("getItem")!.find((entry) => entry.label === "Python")!.source).toContain(`"${SERVER_URL}/items/149"`);
    const injected = injectCodeSamples(spec, samples);
    expect(specOperations(injected).get("getFix")!["x-codeSamples"]).toHaveLength(4);
    expect(specOperations(spec).get("getFix")!["x-codeSamples"]).toBeUndefined();
  });

  it("no sample file writes a fact of the spec literally: it uses the placeholders", async () => {
    for (const operationId of specOperations(spec).keys()) {
      for (const file of ["curl.sh", "python.py", "php.php"]) {
        const text = await readFile(join(samplesDir, operationId, file), "utf8");
        for (const fact of [SAMPLE_PLACEHOLDERS.SERVER_URL, SAMPLE_PLACEHOLDERS.AUTHORIZATION_URL, SAMPLE_PLACEHOLDERS.GRANT_TYPE]) {
          expect(text, `${operationId}/${file}`).not.toContain(fact);
        }
      }
    }
  });

  it("names every missing or empty sample", async () => {
    await rm(join(samplesDir, "getFix/php.php"));
    await writeFile(join(samplesDir, "listItems/curl.sh"), "  \n");
    await expect(loadCodeSamples(samplesDir, specOperations(spec).keys(), samplePlaceholders(spec))).rejects.toThrow(
      new SampleError(
        "every operation needs a sample in every language; missing or empty:\n  samples/listItems/curl.sh\n  samples/getFix/php.php\n(`pnpm docs:samples` writes the missing ones from the spec, ready to edit)",
      ),
    );
  });

  it("refuses a sample folder that names no operation, and an unknown placeholder", async () => {
    await cp(join(samplesDir, "getFix"), join(samplesDir, "getFixes"), { recursive: true });
    await expect(loadCodeSamples(samplesDir, specOperations(spec).keys())).rejects.toThrow("samples/getFixes: no operation of the spec has this operationId");
    expect(() => fillPlaceholders("curl {{SERVR_URL}}/items", SAMPLE_PLACEHOLDERS, "samples/x/curl.sh")).toThrow(
      /samples\/x\/curl\.sh: unknown placeholder \{\{SERVR_URL\}\}/,
    );
  });
});

describe("the names each sample sends, checked against the spec", () => {
  it("today's samples send only their operation's inputs, in every language", async () => {
    expect(await sampleParameterProblems(spec, samplesDir)).toEqual([]);
    // The check sees the names: query strings, form fields, dict and array keys (commented alternatives too).
    const listItems = await readFile(join(samplesDir, "listItems/curl.sh"), "utf8");
    expect(sentNames("curl.sh", listItems)).toEqual(["page", "pageSize"]);
    expect(sentNames("python.py", await readFile(join(samplesDir, "createFix/python.py"), "utf8"))).toContain("callback_url");
    expect(sentNames("php.php", await readFile(join(samplesDir, "createToken/php.php"), "utf8"))).toContain("grant_type");
  });

  it("a query parameter renamed in the spec fails every sample still sending the old name, naming it", async () => {
    const listItems = spec.paths!["/items"]!.get! as { parameters: { name: string }[] };
    for (const parameter of listItems.parameters) if (parameter.name === "pageSize") parameter.name = "page_size";
    const problems = await sampleParameterProblems(spec, samplesDir);
    expect(problems).toEqual(
      ["curl.sh", "python.py", "php.php"].map(
        (file) => `samples/listItems/${file} sends pageSize, which listItems does not have in the spec (its inputs: page, page_size)`,
      ),
    );
  });
});

describe("scaffoldSamples", () => {
  it("writes path parameters as placeholders (curl, Python, PHP) and arguments (TypeScript), never the example's id", async () => {
    spec.paths!["/widgets/{widgetId}"] = {
      get: {
        operationId: "getWidget",
        summary: "Get a widget",
        parameters: [
          { name: "widgetId", in: "path", required: true, schema: { type: "integer" }, example: 4711 },
          { name: "verbose", in: "query", schema: { type: "boolean" }, example: true },
        ],
        responses: { "200": { description: "The widget." } },
      },
    };
    await scaffoldSamples(spec, samplesDir, ["getWidget"]);
    const read = (file: string) => readFile(join(samplesDir, "getWidget", file), "utf8");
    expect(await read("curl.sh")).toContain('"{{SERVER_URL}}/widgets/{{GET_WIDGET_WIDGET_ID}}?verbose=true"');
    expect(await read("python.py")).toContain('"{{SERVER_URL}}/widgets/{{GET_WIDGET_WIDGET_ID}}",');
    expect(await read("php.php")).toContain("'{{SERVER_URL}}/widgets/{{GET_WIDGET_WIDGET_ID}}'");
    const typescript = await read("sample.ts");
    expect(typescript).toContain("export async function getWidget(widgetId: number) {");
    expect(typescript).toContain('client.GET("/widgets/{widgetId}", { params: { path: { "widgetId": widgetId }, query: {"verbose":true} } })');
    for (const file of ["curl.sh", "python.py", "php.php", "sample.ts"]) expect(await read(file)).not.toContain("4711");
    // The page shows the spec's example; the names the samples send are the spec's.
    expect(samplePlaceholders(spec)).toMatchObject({ GET_WIDGET_WIDGET_ID: "4711", ITEM_ID: "149" });
    expect(await sampleParameterProblems(spec, samplesDir)).toEqual([]);
  });
});

describe("themeCss", () => {
  it("turns the theme of redocly.yaml into Redoc 3's custom properties", () => {
    const css = themeCss({ colors: { primary: { main: "#0b7a75" } }, sidebar: { backgroundColor: "#f3f8f7" } });
    expect(css).toContain("--mkp-primary: #0b7a75;");
    expect(css).toContain("--sidebar-bg-color: #f3f8f7;");
    expect(css).toContain("--color-brand-6: color-mix(in srgb, var(--mkp-primary), white 0%);");
  });

  it("refuses a setting it cannot map, and a value that would break out of the style", () => {
    expect(() => themeCss({ colors: { secondary: { main: "#fff" } } } as never)).toThrow(ThemeError);
    expect(() => themeCss({ sidebar: { backgroundColor: "red;} body{display:none" } })).toThrow(/not a plain CSS value/);
  });
});
