import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addAccountOperation } from "@mkp/testing";
import { parse, stringify } from "yaml";
import { main } from "../src/cli.ts";
import { releaseLayout, REPO_ROOT, type ReleaseLayout } from "../src/paths.ts";
import { writeReleasedSpec } from "../src/released-spec.ts";
import { CLIENT_PACKAGE, checkSpecChange } from "../src/spec-diff.ts";
import { packagesReachedBy, publishablePackages } from "../src/workspace-packages.ts";

type Spec = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

let layout: ReleaseLayout;

// A copy of the parts of the repository the check reads: the real spec, redocly.yaml and manifests.
beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "mkp-spec-diff-test-"));
  layout = releaseLayout(root);
  await mkdir(join(root, "spec"), { recursive: true });
  await cp(join(REPO_ROOT, "spec/openapi.yaml"), layout.spec);
  await cp(join(REPO_ROOT, "redocly.yaml"), layout.redoclyConfig);
  await mkdir(layout.changesetDir);
  await writeFile(join(layout.changesetDir, "README.md"), "# Changesets\n");
  for (const name of await readdir(join(REPO_ROOT, "packages"))) {
    const manifest = await readFile(join(REPO_ROOT, "packages", name, "package.json"), "utf8").catch(() => undefined);
    if (manifest === undefined) continue;
    await mkdir(join(layout.packagesDir, name), { recursive: true });
    await writeFile(join(layout.packagesDir, name, "package.json"), manifest);
  }
  await writeReleasedSpec(layout);
});

afterEach(async () => {
  await rm(layout.root, { recursive: true, force: true });
});

async function editSpec(edit: (spec: Spec) => void): Promise<void> {
  const spec = parse(await readFile(layout.spec, "utf8")) as Spec;
  edit(spec);
  await writeFile(layout.spec, stringify(spec));
}

async function addChangeset(name: string, releases: Record<string, string>): Promise<void> {
  const lines = Object.entries(releases).map(([pkg, bump]) => `"${pkg}": ${bump}`);
  await writeFile(join(layout.changesetDir, `${name}.md`), `---\n${lines.join("\n")}\n---\n\nA change.\n`);
}

/**
 * A changeset's releases that give every package the spec reaches what `bump` asks of it (the
 * docs, which only build with the client, a patch), with `overrides` on top. Which packages those
 * are is the first tests' subject; the others are about bump levels.
 */
async function releasesFor(bump: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const reached = packagesReachedBy(await publishablePackages(layout.packagesDir), CLIENT_PACKAGE);
  const releases: Record<string, string> = { [CLIENT_PACKAGE]: bump };
  for (const [name, reach] of reached) releases[name] = reach === "runtime" ? bump : "patch";
  return { ...releases, ...overrides };
}

function schema(spec: Spec, name: string) {
  const found = spec.components.schemas[name];
  if (!found?.properties) throw new Error(`the spec has no object schema ${name}`);
  return found as { properties: Record<string, unknown>; required?: string[] };
}

/** A request-body schema property that is optional today (the test makes it required). */
function optionalRequestProperty(spec: Spec): string {
  const fixRequest = schema(spec, "FixRequest");
  const name = Object.keys(fixRequest.properties).find((key) => !(fixRequest.required ?? []).includes(key));
  if (!name) throw new Error("FixRequest has no optional property left");
  return name;
}

describe("spec:diff: the packages a spec edit reaches", () => {
  it("passes with no changeset while the spec equals the released one (even re-serialised)", async () => {
    await editSpec(() => {});
    const result = await checkSpecChange(layout);
    expect(result).toMatchObject({ ok: true, changed: false, bump: "none", missing: [] });
    expect(result.report).toBe("spec:diff: spec/openapi.yaml is unchanged since the last release (spec/released/openapi.json).");
  });

  it("fails a spec edit that has no changeset, naming the change and every package the spec reaches", async () => {
    await editSpec((spec) => {
      const item = schema(spec, "Item");
      item.properties.id = { ...(item.properties.id as object), description: "The item's identifier." };
    });
    const result = await checkSpecChange(layout);
    expect(result.ok).toBe(false);
    expect(result.bump).toBe("patch");
    // Today's manifests: every published package ships the client (through another for the CLI), the docs build with it.
    const everyPackage = ["@mkp/client", "@mkp/cli", "@mkp/docs", "@mkp/mcp", "@mkp/mock-server", "@mkp/node", "@mkp/oauth"];
    expect(result.missing).toEqual(everyPackage.map((name) => ({ name, needed: "patch", pending: "none" })));
    expect(result.report).toContain("the change needs a patch release");
    expect(result.report).toMatch(/patch {2}Schema \(description\) modified at #\/paths\/.+\(spec\/openapi\.yaml:\d+\)/);
    expect(result.report).toContain(`---\n${everyPackage.map((name) => `"${name}": patch`).join("\n")}\n---`);
  });

  it("finds the packages from the dependency graph: a new one that ships the client through @mkp/node needs the bump, one that only builds with it a patch", async () => {
    const add = async (name: string, manifest: Record<string, unknown>) => {
      await mkdir(join(layout.packagesDir, name), { recursive: true });
      await writeFile(join(layout.packagesDir, name, "package.json"), JSON.stringify({ name: `@mkp/${name}`, version: "0.1.0", ...manifest }));
    };
    await add("desktop", { dependencies: { "@mkp/node": "workspace:^" } });
    await add("site", { devDependencies: { "@mkp/mcp": "workspace:^" } });
    await add("unrelated", { dependencies: { commander: "14.0.0" } });
    await add("internal", { private: true, dependencies: { "@mkp/client": "workspace:^" } });
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string", format: "uri", description: "A preview image." };
    });
    const needed = Object.fromEntries((await checkSpecChange(layout)).needed.map((entry) => [entry.name, entry.needed]));
    expect(needed).toMatchObject({ "@mkp/desktop": "minor", "@mkp/site": "patch", "@mkp/cli": "minor", "@mkp/node": "minor", "@mkp/docs": "patch" });
    expect(Object.keys(needed)).not.toContain("@mkp/unrelated");
    expect(Object.keys(needed)).not.toContain("@mkp/internal");
  });
});

describe("spec:diff rates each change", () => {
  it("rates an added optional response field as minor: a patch changeset is not enough", async () => {
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string", format: "uri", description: "A preview image." };
    });
    await addChangeset("thumbnail", await releasesFor("minor", { "@mkp/client": "patch" }));
    const result = await checkSpecChange(layout);
    expect(result.bump).toBe("minor");
    expect(result.changes).toContainEqual(expect.objectContaining({ impact: "minor", description: expect.stringContaining("properties/thumbnail_url") }));
    expect(result.missing).toEqual([{ name: "@mkp/client", needed: "minor", pending: "patch" }]);
    expect(result.ok).toBe(false);
  });

  it("passes an added optional field once changesets bump the client minor and the docs", async () => {
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string", format: "uri", description: "A preview image." };
    });
    const { "@mkp/docs": docs, ...others } = await releasesFor("minor");
    await addChangeset("client", others);
    await addChangeset("docs", { "@mkp/docs": docs! });
    const result = await checkSpecChange(layout);
    expect(result.missing).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.report).toContain("@mkp/client: needs minor, pending changesets give minor ✓");
  });

  it("rates a newly required request field as major", async () => {
    let property = "";
    await editSpec((spec) => {
      property = optionalRequestProperty(spec);
      const fixRequest = schema(spec, "FixRequest");
      fixRequest.required = [...(fixRequest.required ?? []), property];
    });
    await addChangeset("required", await releasesFor("major", { "@mkp/client": "minor", "@mkp/docs": "minor" }));
    const result = await checkSpecChange(layout);
    expect(result.bump).toBe("major");
    expect(result.changes[0]).toMatchObject({ impact: "major", description: `Properties of \`FixRequest\` became required: \`${property}\`.` });
    expect(result.missing).toEqual([{ name: "@mkp/client", needed: "major", pending: "minor" }]);
  });

  it("rates a removed operation as major and passes with a major changeset", async () => {
    let removed = "";
    await editSpec((spec) => {
      const [path, item] = Object.entries(spec.paths).find(([, ops]) => "delete" in ops) ?? [];
      if (!path || !item) throw new Error("the spec has no DELETE operation");
      removed = `DELETE ${path}`;
      delete item.delete;
    });
    const result = await checkSpecChange(layout);
    expect(result.changes).toContainEqual(
      expect.objectContaining({
        impact: "major",
        description: `Operation \`${removed}\` was removed.`,
        location: expect.stringMatching(/^spec\/released\/openapi\.json:\d+$/),
      }),
    );
    expect(result.ok).toBe(false);

    await addChangeset("remove", await releasesFor("major"));
    expect(await checkSpecChange(layout)).toMatchObject({ ok: true, bump: "major", missing: [] });
  });
});

describe("spec:diff from the command line and the changeset files", () => {
  it("exits 1 from the command line with the report on stderr, and 0 after snapshot-spec", async () => {
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string" };
    });
    const errors: string[] = [];
    const logs: string[] = [];
    const { error, log } = console;
    console.error = (text: string) => errors.push(text);
    console.log = (text: string) => logs.push(text);
    try {
      expect(await main(["spec-diff", "--root", layout.root])).toBe(1);
      expect(errors.join("\n")).toContain('"@mkp/client": minor');
      expect(await main(["snapshot-spec", "--root", layout.root])).toBe(0);
      expect(await main(["spec-diff", "--root", layout.root])).toBe(0);
    } finally {
      Object.assign(console, { error, log });
    }
    expect(logs.at(-1)).toContain("unchanged since the last release");
  });

  it("fails with the file name on a changeset whose bump is not a semver bump", async () => {
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string" };
    });
    await writeFile(join(layout.changesetDir, "typo.md"), '---\n"@mkp/client": minro\n---\n\nTypo.\n');
    await expect(checkSpecChange(layout)).rejects.toThrow('.changeset/typo.md: "@mkp/client" has bump "minro", not patch, minor or major');
  });
});

describe("spec:diff against the base commit (every spec change brings its own changeset)", () => {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", ...args], {
      cwd: layout.root,
      stdio: "pipe",
    });
  const addAccount = async () => writeFile(layout.spec, addAccountOperation(await readFile(layout.spec, "utf8")));

  beforeEach(async () => {
    // The base branch already carries an additive change with its minor changeset, not yet released.
    await editSpec((spec) => {
      schema(spec, "Item").properties.thumbnail_url = { type: "string", format: "uri", description: "A preview image." };
    });
    await addChangeset("thumbnail", await releasesFor("minor"));
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    git("checkout", "-q", "-b", "feature");
  });

  it("a new operation on top fails although an older changeset bumps minor already, and marks the new change", async () => {
    await addAccount();
    const result = await checkSpecChange(layout);
    expect(result.fresh).toMatchObject({ bump: "minor", changesets: [] });
    expect(result.ok).toBe(false);
    const releases = await releasesFor("minor");
    expect(result.missing).toEqual(Object.entries(releases).map(([name, needed]) => ({ name, needed, pending: "none" })));
    expect(result.report).toMatch(/\n {2}NEW minor {2}PathItem added at #\/paths\/~1account/);
    expect(result.report).toMatch(/\n {6}minor {2}.*thumbnail_url/);
    expect(result.report).toContain(
      `---\n${Object.entries(releases)
        .map(([name, bump]) => `"${name}": ${bump}`)
        .join("\n")}\n---`,
    );
  });

  it("passes once a changeset added on the branch names every package the spec reaches", async () => {
    await addAccount();
    await addChangeset("account", await releasesFor("minor"));
    const result = await checkSpecChange(layout);
    expect(result.fresh).toMatchObject({ changesets: [".changeset/account.md"], missing: [] });
    expect(result.ok).toBe(true);
  });

  it("editing the older changeset counts as bringing one; the committed branch is compared with main", async () => {
    await addAccount();
    await addChangeset("thumbnail", await releasesFor("minor", { "@mkp/mock-server": "patch" }));
    git("add", "-A");
    git("commit", "-q", "-m", "account");
    const result = await checkSpecChange(layout);
    expect(result.fresh?.changesets).toEqual([".changeset/thumbnail.md"]);
    expect(result.missing).toEqual([{ name: "@mkp/mock-server", needed: "minor", pending: "patch" }]);
  });
});
