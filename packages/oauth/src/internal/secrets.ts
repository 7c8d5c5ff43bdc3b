// Internal: keeps secret fields readable (`result.accessToken`) but out of logs.
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Adds `secrets` to `visible` as non-enumerable, read-only properties, so `JSON.stringify`,
 * spreading and `util.inspect` (even with `showHidden`) never print them.
 */
export function withSecrets<R>(visible: object, secrets: Record<string, string | undefined>): R {
  const names: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value === undefined) continue;
    names.push(name);
    Object.defineProperty(visible, name, { value, enumerable: false });
  }
  // util.inspect finds this hook by property access; it shows the secret fields as redacted.
  Object.defineProperty(visible, INSPECT, {
    value: () => ({ ...visible, ...Object.fromEntries(names.map((name) => [name, "[redacted]"])) }),
  });
  return visible as R;
}

/** `text` with every occurrence of a secret replaced, for server text that may echo one back. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  for (const secret of secrets) if (secret) text = text.split(secret).join("[redacted]");
  return text;
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
