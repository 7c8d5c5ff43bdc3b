#!/usr/bin/env node
// The docs' samples run in every language they are shown in (packages/docs/test/samples.test.ts):
// curl, python3 with requests, php with its curl extension. Installs Debian's packages for the ones
// missing when we may (root, apt-get present); otherwise says how. Under CI the test fails without them.
import { execFileSync } from "node:child_process";

const RUNTIMES = [
  { name: "curl", check: ["curl", ["--version"]], packages: ["curl"] },
  { name: "python3 with requests", check: ["python3", ["-c", "import requests"]], packages: ["python3", "python3-requests"] },
  { name: "php with curl", check: ["php", ["-r", "exit(function_exists('curl_init') ? 0 : 1);"]], packages: ["php-cli", "php-curl"] },
];

function works([command, args]) {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = RUNTIMES.filter((runtime) => !works(runtime.check));
if (missing.length === 0) {
  console.log(`sample runtimes: ${RUNTIMES.map((runtime) => runtime.name).join(", ")}`);
  process.exit(0);
}
const packages = missing.flatMap((runtime) => runtime.packages);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !works(["sh", ["-c", "command -v apt-get"]])) {
  console.error(`Missing sample runtimes: ${missing.map((runtime) => runtime.name).join(", ")}. Install Debian's packages: apt-get install ${packages.join(" ")}`);
  process.exit(1);
}
console.log(`installing ${packages.join(" ")}…`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
const still = RUNTIMES.filter((runtime) => !works(runtime.check));
if (still.length > 0) {
  console.error(`apt-get ran, but these still do not work: ${still.map((runtime) => runtime.name).join(", ")}`);
  process.exit(1);
}
