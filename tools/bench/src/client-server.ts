// The server side of the client-overhead benchmark: a plain node:http server in its own process,
// so its CPU time never counts against the client. It answers `GET /v1/items/149` with a small
// item when the request carries the expected API key or bearer token, and prints its port.
import { createServer } from "node:http";
import { API_KEY_HEADER } from "@mkp/client";

const [apiKey, token] = process.argv.slice(2);
if (!apiKey || !token) throw new Error("usage: client-server <api key> <token>");

const item = JSON.stringify({
  id: 149,
  user_id: 7,
  file_name: "benchy",
  file_ext: "stl",
  status: 1,
  created_at: 1_700_000_000,
  updated_at: 1_700_000_100,
});
const notFound = JSON.stringify({ error: "not found" });
const unauthorized = JSON.stringify({ error: "unauthorized" });

const server = createServer((request, response) => {
  const authorized = request.headers[API_KEY_HEADER] === apiKey || request.headers.authorization === `Bearer ${token}`;
  const [status, body] = !authorized ? [401, unauthorized] : request.method === "GET" && request.url === "/v1/items/149" ? [200, item] : [404, notFound];
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  process.stdout.write(`listening ${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.on("disconnect", () => process.exit(0));
