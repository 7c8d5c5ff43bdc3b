/**
 * `@mkp/credentials`: where Makeprintable's command-line tools (`mkp`, `@mkp/mcp`) keep the login
 * of `mkp login`, and which credential they use: `MAKEPRINTABLE_API_KEY`, else the stored login.
 * Node only.
 * @packageDocumentation
 */
export { configDir, tokenFilePath, type PlaceOptions } from "./config-dir.js";
export { saveLogin, readLogin, deleteLogin, StoredLogin, type LoginToSave } from "./token-store.js";
export {
  resolveCredential,
  findCredentials,
  resolveBaseUrl,
  Credential,
  API_KEY_VARIABLE,
  BASE_URL_VARIABLE,
  type CredentialOptions,
  type FoundCredentials,
} from "./credential.js";
export { CredentialError, NotLoggedInError, LoginExpiredError, LoginElsewhereError, StoredLoginError } from "./errors.js";
