// The options built from the spec's inputs: a field the spec does not have is a type error; if a
// build skipped the type check, only that option fails, when used, and every other command runs.
import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { specOption } from "../src/spec-options.js";

function program(...options: ReturnType<typeof specOption>[]) {
  const command = new Command("try").exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const option of options) command.addOption(option);
  return command;
}

describe("specOption", () => {
  it("takes its help, range and choices from the spec", () => {
    const command = program(specOption("listItems", "pageSize", "--page-size <n>"), specOption("createFix", "print_quality", "--quality <preset>"));
    expect(command.parse(["--page-size", "5", "--quality", "high"], { from: "user" }).opts()).toEqual({ pageSize: 5, quality: "high" });
    expect(() => program(specOption("listItems", "pageSize", "--page-size <n>")).parse(["--page-size", "0"], { from: "user" })).toThrow(/whole number/);
  });

  it("a field the spec does not have: a type error; at run time the option alone refuses, naming the field", () => {
    // @ts-expect-error listItems has no input page_size (a spec rename makes the CLI's sources fail to build)
    const stale = specOption("listItems", "page_size", "--page-size <n>");
    expect(stale.description).toMatch(/unavailable: the spec this mkp was built from has no input "page_size" for listItems/);
    expect(program(stale).parse([], { from: "user" }).opts()).toEqual({});
    let error: unknown;
    try {
      program(stale).parse(["--page-size", "5"], { from: "user" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).message).toContain('has no input "page_size" for listItems: rebuild mkp');
  });
});
