// The packages as a user gets them: packed with pnpm, installed with npm into a throwaway project
// outside the workspace, then run in Node, type-checked under two module resolutions, and bundled
// for the browser. Slow-ish (an npm install), so it is done once, in this one file.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { build, transform, type Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath } from "../src/bin-path.ts";
import { type PackedPackage, packedIn, packPackages } from "../src/pack.ts";
import { REPO_ROOT, releaseLayout } from "../src/paths.ts";
import { runnableExamples } from "../src/readme-examples.ts";
import { runCommand } from "../src/run-command.ts";

/** Entry points that must run in a browser: the library cores (never `@mkp/oauth/node`). */
const BROWSER_ENTRIES = ["@mkp/client", "@mkp/oauth"];

let dir: string;
let project: string;
let packed: PackedPackage[];
/** Every export subpath of every packed package, e.g. `@mkp/client/openapi.json`. */
let entryPoints: { specifier: string; target: string; typed: boolean }[];
/** Whether the packed `@mkp/oauth` declares its flow (checked once, asserted where used). */
let oauthReady = false;

function exportTargets(name: string, exports: unknown): { specifier: string; target: string; typed: boolean }[] {
  const entries =
    typeof exports === "string" || (exports && typeof exports === "object" && !Object.keys(exports).some((key) => key.startsWith(".")))
      ? [[".", exports] as const]
      : Object.entries((exports ?? {}) as Record<string, unknown>);
  return entries.flatMap(([subpath, value]) => {
    const conditions = typeof value === "string" ? { default: value } : ((value ?? {}) as Record<string, unknown>);
    const target = [conditions.import, conditions.default, conditions.node].find((entry): entry is string => typeof entry === "string");
    if (!target || subpath.includes("*")) return [];
    return [{ specifier: subpath === "." ? name : `${name}/${subpath.slice(2)}`, target, typed: typeof conditions.types === "string" }];
  });
}

const node = (args: string[]) => runCommand(process.execPath, args, { cwd: project });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mkp-consumer-"));
  project = join(dir, "app");
  await mkdir(project);
  // Under `pnpm test`, check:packages packed this run's tarballs already (MKP_PACKED_DIR): one pack per run.
  const shared = process.env["MKP_PACKED_DIR"];
  packed = (shared ? await packedIn(shared) : undefined) ?? (await packPackages(releaseLayout().packagesDir, join(dir, "tarballs")));
  entryPoints = [];
  for (const pkg of packed) {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, "packages", pkg.name.split("/")[1] ?? "", "package.json"), "utf8")) as { exports?: unknown };
    entryPoints.push(...exportTargets(pkg.name, manifest.exports));
  }
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "mkp-consumer", private: true, type: "module" }, null, 2));
  const typesNode = JSON.parse(await readFile(join(REPO_ROOT, "node_modules/@types/node/package.json"), "utf8")) as { version: string };
  // Third-party dependencies (openapi-fetch, …) come from the npm registry, as for any user.
  const install = await runCommand(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      ...packed.map((pkg) => relative(project, pkg.tarball)),
      `@types/node@${typesNode.version}`,
    ],
    { cwd: project },
  );
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);
  oauthReady =
    existsSync(join(project, "node_modules/@mkp/oauth/dist/index.d.ts")) &&
    (await readFile(join(project, "node_modules/@mkp/oauth/dist/index.d.ts"), "utf8")).includes("buildAuthorizationUrl");
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Bundles a file of the consumer project for the browser; lists the Node built-ins it pulled in. */
async function bundleForBrowser(file: string): Promise<{ errors: unknown[]; pulled: string[]; inputs: string[] }> {
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  const pulled: string[] = [];
  // esbuild would fail on an unresolvable built-in anyway; this names the importer.
  const guard: Plugin = {
    name: "no-node-builtins",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path) && !args.path.startsWith("node:")) return undefined;
        pulled.push(`${args.path} (imported by ${relative(project, args.importer)})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [join(project, file)],
    absWorkingDir: project,
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [guard],
  });
  return { errors: result.errors, pulled, inputs: Object.keys(result.metafile.inputs) };
}

describe("consumer: the packed packages in a project outside the workspace", () => {
  it("installs every package from its tarball, with workspace and catalog ranges resolved", async () => {
    expect(packed.map((pkg) => pkg.name)).toContain("@mkp/client");
    const lock = JSON.parse(await readFile(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    for (const pkg of packed) {
      expect(lock.packages[`node_modules/${pkg.name}`], pkg.name).toMatchObject({ version: pkg.version, resolved: expect.stringMatching(/^file:/) });
      const manifest = await readFile(join(project, "node_modules", pkg.name, "package.json"), "utf8");
      expect(manifest, `${pkg.name}'s packed package.json`).not.toMatch(/"(workspace|catalog):/);
    }
    // A sibling fetched again from the registry would be a second, different copy.
    expect(Object.keys(lock.packages).filter((path) => /node_modules\/@mkp\/[^/]+\/node_modules\/@mkp\//.test(path))).toEqual([]);
  });

  it("ships what the package needs and no tests", () => {
    for (const pkg of packed) {
      expect(
        pkg.files.map((file) => file.path).filter((path) => /(^|\/)(test|tests)\/|\.test(-d)?\.ts$|tsconfig|vitest\.config/.test(path)),
        pkg.name,
      ).toEqual([]);
    }
    const client = packed.find((pkg) => pkg.name === "@mkp/client");
    expect(client?.files.map((file) => file.path)).toEqual(expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "openapi.json"]));
  });

  it("loads every JavaScript export of every package in Node (and the client's bundled spec)", async () => {
    // Only JavaScript is imported here; that every export's file is in the tarball is publint's check.
    const specifiers = [...entryPoints.filter((entry) => /\.m?js$/.test(entry.target)).map((entry) => entry.specifier)];
    const script = `
      const loaded = {};
      for (const specifier of ${JSON.stringify(specifiers)}) loaded[specifier] = Object.keys(await import(specifier)).sort();
      const spec = (await import("@mkp/client/openapi.json", { with: { type: "json" } })).default;
      loaded["@mkp/client/openapi.json"] = Object.keys(spec.paths).sort();
      console.log(JSON.stringify(loaded));
    `;
    await writeFile(join(project, "load-all.mjs"), script);
    const result = await node(["load-all.mjs"]);
    expect(result.code, result.output).toBe(0);
    const loaded = JSON.parse(result.output) as Record<string, string[]>;
    expect(Object.keys(loaded).sort()).toEqual([...specifiers, "@mkp/client/openapi.json"].sort());
    expect(loaded["@mkp/client"]).toEqual(expect.arrayContaining(["createClient", "MakeprintableError", "SERVER_URL", "AUTHORIZATION_URL", "SCOPES"]));
    // What only the sibling packages use lives behind the internal entry, which loads from the packed package too.
    expect(loaded["@mkp/client/internal"]).toEqual(expect.arrayContaining(["OPERATIONS", "isLoopbackHost", "isObject"]));
    expect(loaded["@mkp/client/openapi.json"]).toEqual(expect.arrayContaining(["/items/{id}", "/token"]));
  });

  it("(a) a Node ESM script creates a client and calls the API through it", async () => {
    await writeFile(
      join(project, "client.mjs"),
      `
      import { createClient, SERVER_URL, API_KEY_HEADER } from "@mkp/client";
      const seen = [];
      const fetch = async (request) => {
        seen.push({ url: request.url, method: request.method, key: request.headers.get(API_KEY_HEADER) });
        return new Response(JSON.stringify({ id: 149, user_id: 1, file_name: "bunny", file_ext: "stl", status: 1, created_at: 0, updated_at: 0 }), { headers: { "content-type": "application/json" } });
      };
      const client = createClient({ apiKey: "12345weLove3DPrinting", fetch });
      const { data } = await client.GET("/items/{id}", { params: { path: { id: 149 } } });
      console.log(JSON.stringify({ serverUrl: SERVER_URL, seen, fileName: data.file_name }));
      `,
    );
    const result = await node(["client.mjs"]);
    expect(result.code, result.output).toBe(0);
    const { serverUrl, seen, fileName } = JSON.parse(result.output) as { serverUrl: string; seen: unknown[]; fileName: string };
    expect(seen).toEqual([{ url: `${serverUrl}/items/149`, method: "GET", key: "12345weLove3DPrinting" }]);
    expect(fileName).toBe("bunny");
  });

  it("(a) a Node ESM script builds an authorize URL with @mkp/oauth", async () => {
    expect(oauthReady, "the packed @mkp/oauth exports buildAuthorizationUrl").toBe(true);
    await writeFile(
      join(project, "authorize.mjs"),
      `
      import { AUTHORIZATION_URL } from "@mkp/client";
      import { buildAuthorizationUrl } from "@mkp/oauth";
      const { url, state } = await buildAuthorizationUrl({ clientId: "demo-app", redirectUri: "https://example.com/callback" });
      console.log(JSON.stringify({ authorizationUrl: AUTHORIZATION_URL, url, state }));
      `,
    );
    const result = await node(["authorize.mjs"]);
    expect(result.code, result.output).toBe(0);
    const { authorizationUrl, url, state } = JSON.parse(result.output) as { authorizationUrl: string; url: string; state: string };
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(authorizationUrl);
    expect(parsed.searchParams.get("client_id")).toBe("demo-app");
    expect(parsed.searchParams.get("redirect_uri")).toBe("https://example.com/callback");
    expect(parsed.searchParams.get("state")).toBe(state);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("(a) the packed client and OAuth flow work against the packed sandbox over loopback", async () => {
    expect(oauthReady, "the packed @mkp/oauth exports buildAuthorizationUrl").toBe(true);
    await writeFile(
      join(project, "sandbox.mjs"),
      `
      import { createClient } from "@mkp/client";
      import { buildAuthorizationUrl, exchangeCode, parseCallback } from "@mkp/oauth";
      import { startMockServer } from "@mkp/mock-server";
      const server = await startMockServer({ port: 0, autoApprove: true });
      try {
        const { clientId, clientSecret, redirectUris, apiKey } = server.demo;
        const byKey = createClient({ apiKey, baseUrl: server.apiUrl });
        const listed = await byKey.GET("/items");
        const redirectUri = redirectUris[0];
        const { url, state, codeVerifier } = await buildAuthorizationUrl({ clientId, redirectUri, authorizeUrl: server.authorizeUrl, pkce: true });
        const approved = await fetch(url, { redirect: "manual" });
        const { code } = parseCallback(approved.headers.get("location"), { expectedState: state });
        const token = await exchangeCode({ clientId, clientSecret, redirectUri, code, codeVerifier, baseUrl: server.apiUrl });
        const asUser = await createClient({ accessToken: token.accessToken, baseUrl: server.apiUrl }).GET("/items");
        console.log(JSON.stringify({ keyStatus: listed.response.status, redirect: approved.status, tokenType: token.tokenType, userStatus: asUser.response.status }));
      } finally {
        await server.close();
      }
      `,
    );
    const result = await node(["sandbox.mjs"]);
    expect(result.code, result.output).toBe(0);
    expect(JSON.parse(result.output)).toEqual({ keyStatus: 200, redirect: 302, tokenType: "Bearer", userStatus: 200 });
  });

  // The root README's examples, as a user pastes them into their own project: a README that does
  // not run is the first thing a new user meets.
  it("(d) the README's examples type-check and run as written, against the packed sandbox", async () => {
    const examples = runnableExamples(await readFile(join(REPO_ROOT, "README.md"), "utf8"));
    expect(examples.length).toBeGreaterThan(0);
    const files = examples.map((_, index) => `readme-${index + 1}.mts`);
    for (const [index, source] of examples.entries()) {
      await writeFile(join(project, files[index]!), source);
      await writeFile(join(project, files[index]!.replace(/\.mts$/, ".mjs")), (await transform(source, { loader: "ts", format: "esm" })).code);
    }
    const tsconfig = {
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2023", "dom"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      },
      files,
    };
    await writeFile(join(project, "tsconfig.readme.json"), JSON.stringify(tsconfig, null, 2));
    const checked = await node([binPath("typescript", "tsc"), "-p", "tsconfig.readme.json"]);
    expect(checked.output).toBe("");
    await writeFile(
      join(project, "readme-run.mjs"),
      `
      import { startMockServer } from "@mkp/mock-server";
      const sandbox = await startMockServer({ port: 0, fixTiming: { queuedMs: 100, processingMs: 300 } });
      process.env.MAKEPRINTABLE_BASE_URL = sandbox.apiUrl;
      process.env.MAKEPRINTABLE_API_KEY = sandbox.demo.apiKey;
      try {
        await import("./" + process.argv[2]);
      } finally {
        await sandbox.close();
      }
      `,
    );
    const outputs: string[] = [];
    for (const file of files) {
      const run = await node(["readme-run.mjs", file.replace(/\.mts$/, ".mjs")]);
      expect(run.code, run.output).toBe(0);
      outputs.push(run.output);
    }
    expect(outputs[0]).toMatch(/^Repaired file: http:\/\/127\.0\.0\.1:\d+\/downloads\/[\w-]+\/triangle\.obj\n$/);
  });

  it("links every command-line tool the packages declare", async () => {
    for (const pkg of packed) {
      const manifest = JSON.parse(await readFile(join(project, "node_modules", pkg.name, "package.json"), "utf8")) as { bin?: string | Record<string, string> };
      const bins = typeof manifest.bin === "string" ? { [pkg.name.split("/")[1] ?? pkg.name]: manifest.bin } : (manifest.bin ?? {});
      for (const [command, target] of Object.entries(bins)) {
        expect(existsSync(join(project, "node_modules/.bin", command)), `${pkg.name}: ${command}`).toBe(true);
        const source = await readFile(join(project, "node_modules", pkg.name, target), "utf8");
        expect(source.startsWith("#!/usr/bin/env node"), `${pkg.name}: ${target} starts with a node shebang`).toBe(true);
      }
    }
    // One `mkp`, @mkp/cli's, whatever else is installed beside it.
    const mkp = await runCommand(join(project, "node_modules/.bin/mkp"), ["--help"], { cwd: project });
    expect(mkp.code, mkp.output).toBe(0);
    expect(mkp.output).toMatch(/^Usage: mkp \[options\] \[command\]\n/);
    expect(mkp.output).toMatch(/^ {2}repair /m);
  });

  for (const [resolution, module] of [
    ["nodenext", "nodenext"],
    ["bundler", "esnext"],
  ] as const) {
    it(`(b) a TypeScript consumer type-checks under moduleResolution ${resolution}`, async () => {
      const typed = entryPoints.filter((entry) => entry.typed);
      const lines = [
        `import { createClient, type paths } from "@mkp/client";`,
        ...typed.map((entry, index) => `import * as entry${index} from "${entry.specifier}";`),
        `export const modules = [${typed.map((_, index) => `entry${index}`).join(", ")}];`,
        `const client = createClient({ apiKey: "12345weLove3DPrinting" });`,
        `export async function fileName(id: number): Promise<string | undefined> {`,
        `  const { data } = await client.GET("/items/{id}", { params: { path: { id } } });`,
        `  return data?.file_name;`,
        `}`,
        `// The types are real: an unknown path and a wrong parameter type are errors.`,
        `// @ts-expect-error no such path`,
        `export const wrongPath = () => client.GET("/no-such-path");`,
        `// @ts-expect-error id is a number`,
        `export const wrongParam = () => client.GET("/items/{id}", { params: { path: { id: "149" } } });`,
        `export type ItemPath = paths["/items/{id}"];`,
        `import { buildAuthorizationUrl } from "@mkp/oauth";`,
        `export const authorize: { url: string; state: string } = await buildAuthorizationUrl({ clientId: "demo-app", redirectUri: "https://example.com/callback", pkce: true });`,
        `import { startMockServer } from "@mkp/mock-server";`,
        `export const sandbox = () => startMockServer({ port: 0 }).then((server) => server.apiUrl);`,
      ];
      await writeFile(join(project, `consumer-${resolution}.ts`), `${lines.join("\n")}\n`);
      const tsconfig = {
        // nodenext also checks every declaration file we ship (slow: it checks @types/node too).
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: "es2022",
          lib: ["es2023", "dom"],
          strict: true,
          noEmit: true,
          skipLibCheck: resolution !== "nodenext",
          types: ["node"],
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
        },
        files: [`consumer-${resolution}.ts`],
      };
      await writeFile(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
      const result = await node([binPath("typescript", "tsc"), "-p", `tsconfig.${resolution}.json`]);
      expect(result.output).toBe("");
      expect(result.code).toBe(0);
    });
  }

  it("(c) esbuild bundles the library cores for the browser without a Node built-in", async () => {
    const entries = BROWSER_ENTRIES.filter((name) => packed.some((pkg) => pkg.name === name));
    const lines = [
      `import { createClient, SERVER_URL } from "@mkp/client";`,
      `export const client = createClient({ accessToken: () => "token", baseUrl: SERVER_URL });`,
    ];
    lines.push(`export { buildAuthorizationUrl, parseCallback } from "@mkp/oauth";`);
    for (const name of entries) lines.push(`export * as ${name.replace(/\W/g, "_")} from "${name}";`);
    await writeFile(join(project, "browser.ts"), `${lines.join("\n")}\n`);
    const { errors, pulled, inputs } = await bundleForBrowser("browser.ts");
    expect(errors).toEqual([]);
    expect(pulled).toEqual([]);
    expect(inputs.some((input) => input.includes("node_modules/@mkp/client/dist/"))).toBe(true);
    expect(inputs.some((input) => input.includes("node_modules/openapi-fetch/"))).toBe(true);
    expect(inputs.filter((input) => /@mkp\/oauth\/dist\/node\//.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes("node_modules/@mkp/oauth/dist/"))).toBe(true);
  });

  it("(c) the guard works: @mkp/oauth/node, which is Node-only, is reported", async () => {
    await writeFile(join(project, "node-only.ts"), `export * from "@mkp/oauth/node";\n`);
    const { pulled } = await bundleForBrowser("node-only.ts");
    expect(pulled.length).toBeGreaterThan(0);
    expect(pulled.join("\n")).toMatch(/^node:\w+ \(imported by node_modules\/@mkp\/oauth\/dist\/node\//m);
  });
});
