/**
 * `@mkp/client/internal`: what the sibling packages (`@mkp/oauth`, `@mkp/node`, `@mkp/cli`,
 * `@mkp/mcp`, `@mkp/mock-server`) share with the client. Not part of the public API: it may change
 * in any release, so applications import from `@mkp/client` only.
 * @packageDocumentation
 */
export { isLoopbackHost, mayCarryCredential } from "./transport.js";
