// util.inspect finds this hook by property access (Node's documented custom inspection).
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Adds `secrets` to `visible` as non-enumerable getters: readable (`token.accessToken`), but
 * `JSON.stringify`, spreading, `console.log` and `util.inspect` never print them: inspection
 * shows them as `'[redacted]'`, and even with `showHidden` and `customInspect: false` only as
 * `[Getter]`. Only `util.inspect(…, { getters: true, customInspect: false })` would call a getter.
 */
export function withSecrets<R>(visible: object, secrets: Record<string, string | undefined>): R {
  const names: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value === undefined) continue;
    names.push(name);
    Object.defineProperty(visible, name, { get: () => value, enumerable: false });
  }
  Object.defineProperty(visible, INSPECT, { value: () => ({ ...visible, ...Object.fromEntries(names.map((name) => [name, "[redacted]"])) }) });
  return visible as R;
}

const BASE64URL: Record<string, string> = { "+": "-", "/": "_", "=": "" };

/** Unpadded base64url (RFC 4648 §5) of bytes. */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) => BASE64URL[c]!);
}

/** `length` bytes from the platform's CSPRNG, base64url: 32 bytes give 256 bits of entropy. */
export const randomToken = (length = 32): string => base64url(crypto.getRandomValues(new Uint8Array(length)));

/**
 * Compares a received value with the expected one in time that depends only on the expected
 * value's length, so response timing does not reveal how much of a guess was right.
 */
export function timingSafeEqual(received: string, expected: string): boolean {
  let diff = received.length ^ expected.length;
  // Past the end of `received`, charCodeAt gives NaN, which `^` treats as 0: the length check covers it.
  for (let i = 0; i < expected.length; i++) diff |= received.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
