import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as node from "../src/node/index.js";

const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
// The README's promises: every `### \`name(…)\`` heading and every class in the errors table.
const promised = (section: string) => readme.slice(readme.indexOf(section)).split(/\n## /)[0]!;
const headings = (text: string) => [...text.matchAll(/^### `(\w+)/gm)].map((m) => m[1]!);
const errorClasses = [...promised("### Errors").matchAll(/^\| `(\w+Error)` \|/gm)].map((m) => m[1]!);

describe("@mkp/oauth exports what its README promises", () => {
  it("the core: every documented function, constant and error class, and nothing else", () => {
    const documented = [...headings(promised("## API\n")).filter((name) => name !== "Errors"), ...errorClasses];
    expect(documented.length).toBeGreaterThan(15);
    expect(Object.keys(core).sort()).toEqual(documented.sort());
  });

  it("@mkp/oauth/node: every documented export, and nothing else", () => {
    expect(Object.keys(node).sort()).toEqual(headings(promised("## `@mkp/oauth/node`")).sort());
  });

  it("the package.json exports map points at the built entry points, and no command is installed (`mkp` is @mkp/cli's)", async () => {
    const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(manifest.exports["."].default).toBe("./dist/index.js");
    expect(manifest.exports["./node"].default).toBe("./dist/node/index.js");
    expect(manifest.bin).toBeUndefined();
  });

  it("every error class extends OAuthError and has its documented code", () => {
    for (const [, name, code] of promised("### Errors").matchAll(/^\| `(\w+Error)` \| `(\w+)` \|/gm)) {
      const ErrorClass = (core as Record<string, unknown>)[name!] as typeof core.OAuthError;
      expect(ErrorClass.prototype).toBeInstanceOf(Error);
      // The classes with fields take them typed; the others take Error options, where these are ignored.
      const error = new ErrorClass("m", { error: "invalid_grant", status: 400 } as never);
      expect(error).toBeInstanceOf(core.OAuthError);
      expect(error).toMatchObject({ code, name });
    }
  });
});
