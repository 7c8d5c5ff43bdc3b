import { GRANT_TYPE } from "../src/internal/index.js";

/** A `fetch` that records every request and answers with `respond` (default: 200 `{}`). */
export function observedFetch(respond: (request: Request) => Response | Promise<Response> = () => Response.json({})) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request.clone());
    return respond(request);
  };
  return { fetch, requests };
}

/** The only request made, failing the test when there were none or several. */
export function onlyRequest(requests: Request[]): Request {
  if (requests.length !== 1) throw new Error(`expected exactly one request, saw ${requests.length}`);
  return requests[0]!;
}

/** The API key of the Authentication page's example. */
export const API_KEY = "12345weLove3DPrinting";

/** A complete `POST /token` body: the five fields the Authentication page names. */
export const TOKEN_REQUEST = {
  client_id: "demo-app",
  client_secret: "demo-secret",
  redirect_uri: "https://example.com/callback",
  grant_type: GRANT_TYPE,
  code: "SplxlOBeZQQYbYS6WxSbIA",
};

/** A sleep that records each delay and returns at once (no real waiting in tests). */
export function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    if (signal.aborted) throw signal.reason;
  };
  return { sleep, delays };
}
