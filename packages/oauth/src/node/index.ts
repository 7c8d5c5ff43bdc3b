/**
 * `@mkp/oauth/node`: the loopback login for scripts and CLIs (RFC 8252 §7.3), on top of the core.
 * @packageDocumentation
 */
export { loopbackLogin, type LoopbackLoginOptions } from "./loopback-login.js";
export { LoginTimeoutError } from "./login-timeout-error.js";
