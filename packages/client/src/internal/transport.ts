/**
 * The one transport-safety rule of every package: what counts as this machine (loopback), and
 * where a credential may travel over plain http. Client, oauth, node, the sandbox and the example
 * app all ask these two functions, so `127.0.0.2` means the same thing through every entry point.
 */

// WHATWG URL normalises IPv4 (`127.1` → `127.0.0.1`), lower-cases names and brackets IPv6.
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether a URL's `hostname` names this machine: `localhost`, any address in 127.0.0.0/8
 * (RFC 1122 §3.2.1.3), or `[::1]`.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || IPV4_LOOPBACK.test(hostname);
}

/**
 * Whether a credential (an API key, a token, a client secret, a code) may be sent to `url`: over
 * https anywhere; over plain http only to loopback, unless the caller explicitly allowed insecure
 * http. Any other scheme never.
 */
export function mayCarryCredential(url: URL, allowInsecureHttp = false): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && (allowInsecureHttp || isLoopbackHost(url.hostname));
}
