import { AUTHORIZATION_URL, RESPONSE_TYPES, SCOPES, SERVER_URL, TOKEN_URL } from "@mkp/client";
import { GRANT_TYPE, OPERATION_INPUTS } from "@mkp/client/internal";
import type { Handler } from "./context.js";

/** The well-known URI suffix of OAuth 2.0 authorization-server metadata (RFC 8414 §3, §7.3). */
export const METADATA_WELL_KNOWN = "/.well-known/oauth-authorization-server";

// The issuer is the API's base URL (`<origin>/v1`): a client that knows only its base URL can find
// the authorize page. RFC 8414 §3 puts the well-known suffix between the host and the issuer's path.
const ISSUER_PATH = new URL(SERVER_URL).pathname.replace(/\/$/, "");

/** Where the sandbox serves its metadata: `/.well-known/oauth-authorization-server/v1`. */
export const METADATA_PATH = `${METADATA_WELL_KNOWN}${ISSUER_PATH}`;

// PKCE methods the authorize endpoint's description accepts (only S256).
const CODE_CHALLENGE_METHODS: readonly string[] = OPERATION_INPUTS.authorize.schema.properties.code_challenge_method.enum;

/**
 * `GET /.well-known/oauth-authorization-server/v1`: the sandbox's authorization-server metadata
 * (RFC 8414 §2), so `mkp login` and other tools find the sandbox's authorize page from the API's
 * base URL alone. The URLs are built from the `Host` the request was addressed to (already checked
 * against the sandbox's own names), so the issuer is identical to the base URL the client used to
 * build the metadata URL, as RFC 8414 §3.3 requires a client to check.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export const metadataHandler: Handler = (_sandbox, { request }) => {
  const origin = `http://${(request.headers.host ?? "").toLowerCase()}`;
  return {
    status: 200,
    headers: { "cache-control": "no-store" },
    json: {
      issuer: `${origin}${ISSUER_PATH}`,
      authorization_endpoint: `${origin}${new URL(AUTHORIZATION_URL).pathname}`,
      token_endpoint: `${origin}${new URL(TOKEN_URL).pathname}`,
      response_types_supported: [...RESPONSE_TYPES],
      grant_types_supported: [GRANT_TYPE],
      scopes_supported: [...SCOPES],
      code_challenge_methods_supported: [...CODE_CHALLENGE_METHODS],
      // The token endpoint reads client_id and client_secret from the form body only (no Basic).
      token_endpoint_auth_methods_supported: ["client_secret_post"],
    },
  };
};
