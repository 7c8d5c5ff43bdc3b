import { INSPECT, REDACTED } from "../redact.js";

/**
 * The SDK's one way to keep a secret on an object it hands out (an OAuth token, a stored login, a
 * credential, a call's result): the secrets live in a private field of this base class, so they
 * are never an own property of the object. `JSON.stringify`, a spread, `Object.keys`/`entries`,
 * `structuredClone`, `console.log` and `util.inspect` (also with `showHidden`, any `depth`, or
 * `customInspect: false`) cannot reach them. Each holder hands a secret out through the getter or
 * method its users call (`token.accessToken`, `login.accessToken()`, `credential.clientOptions()`),
 * which reads it with {@link SecretHolder.secret}. Inspection lists each secret a holder has as
 * `'[redacted]'`, so a person debugging sees that it is there. One limit comes with a getter, not
 * with this class: `util.inspect(…, { showHidden: true, getters: true, customInspect: false })`
 * asks Node to run a class's getters and skip its own inspection, and so shows what they return;
 * inspection never calls a method.
 */
export abstract class SecretHolder<Secrets extends object> {
  readonly #secrets: Secrets;

  protected constructor(secrets: Secrets) {
    this.#secrets = { ...secrets };
  }

  /** The secret called `name`, for the holder's own getter or method. */
  protected secret<Name extends keyof Secrets>(name: Name): Secrets[Name] {
    return this.#secrets[name];
  }

  /** What `util.inspect` and `console.log` show: the visible fields, and each secret held as `'[redacted]'`. */
  [INSPECT](): object {
    const held = Object.entries(this.#secrets).filter(([, value]) => value !== undefined);
    return { ...this, ...Object.fromEntries(held.map(([name]) => [name, REDACTED])) };
  }
}
