#!/usr/bin/env node
// Makes the `bin` files of the package in the current directory executable (0755). `tsc` writes
// them 0644, and `npx mkp` or a file install would then fail with "Permission denied"; run as the
// last step of each `build` script, so a turbo cache replay restores the executable files too.
import { chmod, readFile } from "node:fs/promises";

const { bin = {} } = JSON.parse(await readFile("package.json", "utf8"));
for (const file of typeof bin === "string" ? [bin] : Object.values(bin)) await chmod(file, 0o755);
