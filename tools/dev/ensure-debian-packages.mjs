#!/usr/bin/env node
// What the tests run besides Node, from Debian: Chromium for the browser tests (driven by
// playwright-core, no browser download), curl, python3 with requests and php with curl for the docs'
// samples, tmux for the CLI's terminal test. Installs the packages of whatever is missing when we
// may (root, apt-get present), in one apt-get run; otherwise says what to install. `.ci/run` and
// `pnpm test` run it; under CI the tests that need a missing one fail, on a workstation they skip.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = process.env.MKP_CHROMIUM ?? "/usr/bin/chromium";

function works(command, args) {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const NEEDS = [
  { name: `chromium (${CHROMIUM})`, ok: () => existsSync(CHROMIUM), packages: ["chromium"], elsewise: "or set MKP_CHROMIUM to a Chromium binary" },
  { name: "curl", ok: () => works("curl", ["--version"]), packages: ["curl"] },
  { name: "python3 with requests", ok: () => works("python3", ["-c", "import requests"]), packages: ["python3", "python3-requests"] },
  { name: "php with curl", ok: () => works("php", ["-r", "exit(function_exists('curl_init') ? 0 : 1);"]), packages: ["php-cli", "php-curl"] },
  { name: "tmux", ok: () => works("tmux", ["-V"]), packages: ["tmux"] },
];

const missing = NEEDS.filter((need) => !need.ok());
if (missing.length === 0) {
  console.log(`Debian packages for the tests: ${NEEDS.map((need) => need.name).join(", ")}`);
  process.exit(0);
}
const packages = missing.flatMap((need) => need.packages);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !works("sh", ["-c", "command -v apt-get"])) {
  const alternatives = missing.flatMap((need) => need.elsewise ?? []);
  console.error(
    `Missing for the tests: ${missing.map((need) => need.name).join(", ")}. Install Debian's packages: apt-get install ${packages.join(" ")}${alternatives.length ? ` (${alternatives.join("; ")})` : ""}`,
  );
  process.exit(1);
}
console.log(`installing Debian's ${packages.join(" ")} (a minute or two)…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
const still = NEEDS.filter((need) => !need.ok());
if (still.length > 0) {
  console.error(`apt-get ran, but these are still missing: ${still.map((need) => need.name).join(", ")}`);
  process.exit(1);
}
