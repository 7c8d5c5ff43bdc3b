#!/usr/bin/env node
// Part of `pnpm lint`: source files must not cite tracker ids (the word issue and a number, or a
// security finding's L or M and a number) that a reader of the repository cannot open. A comment or test title says the reason in its own words,
// or names the row of SECURITY.md's table in words.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
// "issue" and a number in any case; a finding id is an upper-case L or M and one or two digits, as the reviews wrote them.
const TRACKER_ID = /\bissues? #?\d+\b|\b[LM]\d{1,2}\b/i;
const FINDING_ID = /\b[LM]\d{1,2}\b/;
const ISSUE = /\bissues? #?\d+\b/i;

const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((file) => SOURCE.test(file) && !file.includes("/generated/"));
const found = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(resolve(root, file), "utf8");
  } catch {
    continue; // deleted in the work tree, not yet in the index
  }
  if (!TRACKER_ID.test(text)) continue;
  text.split("\n").forEach((line, index) => {
    if (ISSUE.test(line) || FINDING_ID.test(line)) found.push(`${file}:${index + 1}: ${line.trim().slice(0, 120)}`);
  });
}
if (found.length > 0) {
  console.error(
    `${found.length} line(s) cite a tracker id; say the reason in words instead (or name SECURITY.md's row in words):\n${found.map((line) => `  ${line}`).join("\n")}`,
  );
  process.exit(1);
}
console.log(`no tracker ids in ${files.length} source files`);
