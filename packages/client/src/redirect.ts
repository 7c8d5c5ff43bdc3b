import { RedirectRefusedError } from "./api-error.js";
import { API_KEY_HEADER } from "./generated/spec.js";

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
/** As many redirects as `fetch` follows (Fetch standard, "HTTP-redirect fetch"). */
export const MAX_REDIRECTS = 20;
// What must not reach another origin. `fetch` drops only `authorization` there, not the `key` header.
const CREDENTIAL_HEADERS = [API_KEY_HEADER, "authorization", "proxy-authorization", "cookie"];

/** `url` without its query string, for messages. */
export const withoutQuery = (url: string | URL): string => {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
};

/** A caller's `fetch`: one `Request` in, its `Response` out. */
export type Fetch = (request: Request) => Promise<Response>;

/**
 * Sends one request of an attempt with the attempt's signal. The global `fetch` gets the signal in
 * its `init`: Node's `fetch` copies every Request it is given, and the signal rides on that copy for
 * free, where a Request built with a signal costs about 14 µs more (undici links the two signals;
 * tools/bench/README.md). A caller's `fetch` takes a Request only, so it gets one that carries it.
 */
function sendOnce(fetch: Fetch | undefined, request: Request, init: { signal: AbortSignal; redirect: RequestRedirect }): Promise<Response> {
  if (fetch) return fetch(new Request(request, init));
  const node = nodeOf(request);
  // A stream body needs `duplex: "half"`, which TypeScript's DOM types do not list yet.
  const paced = node && ({ body: readingAnswersFirst(request.body!, node.setImmediate), duplex: "half" } as RequestInit);
  return globalThis.fetch(paced ? new Request(request, paced) : request, init);
}

// Node's fetch (undici) gives up at the first write that fails, even when the server's answer is
// already waiting on the socket: a server that refuses an upload answers 413 and closes, and the
// next write fails with EPIPE. Only uploads (multipart bodies) are large enough to be refused
// mid-body; browsers cannot stream a request body over HTTP/1.1, so this is Node's alone.
type NodeGlobals = { process?: { versions?: { node?: string } }; setImmediate: (callback: () => void) => void };
function nodeOf(request: Request): NodeGlobals | undefined {
  const node = globalThis as unknown as NodeGlobals;
  const upload = request.body !== null && /^multipart\//i.test(request.headers.get("content-type") ?? "");
  return upload && typeof node.process?.versions?.node === "string" ? node : undefined;
}

/**
 * The same bytes, each chunk handed over one event-loop turn after it was read: every write is
 * preceded by a poll of the sockets, so an answer the server sent while the upload was going is
 * read before the next write can fail. Sent chunked, since the length is not known up front.
 */
function readingAnswersFirst(body: ReadableStream<Uint8Array>, setImmediate: NodeGlobals["setImmediate"]): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Nothing is read ahead: a chunk is read only when fetch asks for it, so the wait comes between writes.
    { highWaterMark: 0 },
  );
}

/**
 * Sends `request` with `redirect: "manual"` and follows redirects itself, so a credential never
 * leaves the origin it was given for: a redirect within the origin keeps every header; one to
 * another origin is followed without `key`, `authorization`, `proxy-authorization` and `cookie`.
 * A request with a body is never re-sent, and a redirect a browser hides (`opaqueredirect`) is
 * not guessed at: both fail with a {@link RedirectRefusedError} naming the fix. A request whose
 * own `redirect` is `"manual"` or `"error"` is sent as it is: `fetch` keeps those modes itself.
 * `fetch` is a caller's, or `undefined` for the global one.
 * @see https://fetch.spec.whatwg.org/#http-redirect-fetch
 */
export async function fetchFollowingRedirects(fetch: Fetch | undefined, request: Request, signal: AbortSignal): Promise<Response> {
  const follow = request.redirect === "follow";
  const init = { signal, redirect: follow ? "manual" : request.redirect };
  let current = request;
  for (let redirects = 0; ; redirects++) {
    const response = await sendOnce(fetch, current, init);
    // A caller's fetch that dropped the "manual" mode has followed a redirect already, perhaps with
    // the credential to another origin: its answer cannot be trusted to come from the API.
    if (follow && response.redirected) {
      await response.body?.cancel().catch(() => undefined);
      throw new RedirectRefusedError({
        message: `the fetch given to the client followed a redirect from ${withoutQuery(current.url)} to ${response.url ? withoutQuery(response.url) : "another address"} itself, so it may have sent the credential there: pass the Request it gets to fetch unchanged (its redirect is "manual"), and rotate the key if that origin is not yours`,
      });
    }
    const hidden = response.type === "opaqueredirect";
    // Only a redirect status's Location counts (reading a header costs a few µs per response).
    const location = REDIRECT_STATUSES.includes(response.status) ? response.headers.get("location") : null;
    if (!follow || (!hidden && location === null)) return response;
    await response.body?.cancel().catch(() => undefined);
    const from = withoutQuery(current.url);
    if (hidden)
      throw new RedirectRefusedError({
        message: `${from} answered with a redirect that the browser hides from scripts: set baseUrl to the address it redirects to`,
      });
    let target: URL;
    try {
      target = new URL(location!, current.url);
    } catch {
      throw new RedirectRefusedError({ message: `${from} redirected to an unusable Location: check baseUrl` });
    }
    const refuse = (why: string) => new RedirectRefusedError({ message: `${from} redirected (${response.status}) to ${withoutQuery(target)}; ${why}` });
    if (!["http:", "https:"].includes(target.protocol)) throw refuse("only http(s) redirects are followed");
    if (current.body !== null) throw refuse("a request with a body is not sent again: set baseUrl to the address it redirects to");
    if (redirects === MAX_REDIRECTS) throw refuse(`more than ${MAX_REDIRECTS} redirects: check baseUrl`);
    const headers = new Headers(current.headers);
    if (target.origin !== new URL(current.url).origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
    // As `fetch` does: a 303 turns into a GET.
    const method = response.status === 303 && current.method !== "HEAD" ? "GET" : current.method;
    current = new Request(target, { method, headers });
  }
}
