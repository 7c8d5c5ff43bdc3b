#!/usr/bin/env node
// `pnpm demo`: the sandbox and the example app together, stopped with Ctrl-C.
import { startWebApp } from "./start.js";

const running = await startWebApp({ port: Number(process.env.PORT ?? 3000) });
const { sandbox } = running;
console.log(`Example app:  ${running.url}   ← open this and click "Connect Makeprintable"`);
if (sandbox) {
  console.log(`Sandbox:      ${sandbox.url} (API ${sandbox.apiUrl})`);
  // Sandbox-only demo credentials: public by design, never real ones.
  console.log(`Demo app:     client_id=${sandbox.demo.clientId} client_secret=${sandbox.demo.clientSecret}`);
  console.log(`Demo API key: ${sandbox.demo.apiKey}`);
} else {
  console.log("Talking to the real Makeprintable API (MAKEPRINTABLE_CLIENT_ID is set).");
}
console.log("Press Ctrl-C to stop.");
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
