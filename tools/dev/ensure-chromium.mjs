#!/usr/bin/env node
// Browser tests drive Debian's Chromium through playwright-core (no browser download). Installs it
// with apt-get when it is missing and we may (root, apt-get present); otherwise says how.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = process.env.MKP_CHROMIUM ?? "/usr/bin/chromium";

if (existsSync(CHROMIUM)) {
  console.log(`chromium: ${CHROMIUM}`);
  process.exit(0);
}
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
let hasApt = false;
try {
  execFileSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" });
  hasApt = true;
} catch {}
if (!isRoot || !hasApt) {
  console.error(`Chromium is missing at ${CHROMIUM}. Install Debian's package (apt-get install chromium) or set MKP_CHROMIUM to a Chromium binary.`);
  process.exit(1);
}
console.log("installing Debian's chromium (a minute or two)…");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
if (!existsSync(CHROMIUM)) {
  console.error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
  process.exit(1);
}
