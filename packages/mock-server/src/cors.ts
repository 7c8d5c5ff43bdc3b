import { API_KEY_HEADER } from "@mkp/client";
import { IGNORED_PARAMETERS_HEADER, SANDBOX_SOURCE_HEADER } from "./from-spec.js";
import type { Reply } from "./http.js";
import { isLoopbackUrl } from "./resources.js";

type Headers = Readonly<Record<string, string>>;

/**
 * Who may read a path's answers from a browser: `api` as the `cors` option says; `local-pages`
 * the same, except that "any origin" narrows to pages on this machine (never `*`), for the paths
 * that make the sandbox call back a URL; `none` never.
 */
export type CorsScope = "api" | "local-pages" | "none";

/** The strictest of two scopes (a path takes the strictest of its routes'). */
export function stricter(a: CorsScope, b: CorsScope): CorsScope {
  const order: readonly CorsScope[] = ["none", "local-pages", "api"];
  return order[Math.min(order.indexOf(a), order.indexOf(b))] ?? "none";
}

function isLoopbackOrigin(origin: string): boolean {
  return URL.canParse(origin) && isLoopbackUrl(new URL(origin)) && new URL(origin).origin === origin;
}

// Headers a browser app may send and read cross-origin (the credential headers included).
const REQUEST_HEADERS = `${API_KEY_HEADER}, authorization, content-type`;
const EXPOSED_HEADERS = `x-request-id, retry-after, retry-after-ms, www-authenticate, content-disposition, location, ${SANDBOX_SOURCE_HEADER}, ${IGNORED_PARAMETERS_HEADER}`;
const NONE: Headers = Object.freeze({});
const VARY: Headers = Object.freeze({ vary: "Origin" });

/**
 * Which web origins may read the sandbox's answers from a browser: every header set is built once,
 * when the sandbox starts, and a request only picks one.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export class CorsPolicy {
  readonly #any: Headers | undefined;
  readonly #listed: ReadonlyMap<string, Headers>;
  readonly #unlisted: Headers;

  /** `true`: any origin; `false`: none; a list: those origins only. */
  constructor(policy: boolean | readonly string[]) {
    this.#any = policy === true ? Object.freeze({ "access-control-allow-origin": "*", "access-control-expose-headers": EXPOSED_HEADERS }) : undefined;
    const listed = Array.isArray(policy) ? policy : [];
    this.#listed = new Map(
      listed.map((origin) => [
        origin,
        Object.freeze({ "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSED_HEADERS, vary: "Origin" }),
      ]),
    );
    this.#unlisted = Array.isArray(policy) ? VARY : NONE;
  }

  /** The CORS headers of an answer to `origin` on a path of `scope` (none when the policy does not allow it). */
  headersFor(origin: string | undefined, scope: CorsScope): Headers {
    if (origin === undefined || scope === "none") return NONE;
    if (this.#any === undefined) return this.#listed.get(origin) ?? this.#unlisted;
    if (scope === "api") return this.#any;
    return isLoopbackOrigin(origin) ? { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSED_HEADERS, vary: "Origin" } : VARY;
  }

  /**
   * The answer to a preflight (Fetch standard §3.2.2) from `origin` for a path that answers
   * `methods`: 204 with what may be sent, or 403 when the origin may not.
   */
  preflight(origin: string, methods: string, scope: CorsScope): Reply {
    const allowed = this.headersFor(origin, scope);
    if (allowed["access-control-allow-origin"] === undefined) {
      return {
        status: 403,
        headers: allowed,
        json: { error: "cors_forbidden", error_description: "This origin may not call the sandbox from a browser (see its cors option)." },
      };
    }
    return {
      status: 204,
      headers: { ...allowed, "access-control-allow-methods": methods, "access-control-allow-headers": REQUEST_HEADERS, "access-control-max-age": "600" },
    };
  }
}
