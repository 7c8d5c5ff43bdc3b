import { SCOPES } from "@mkp/client";
import { buildAuthorizationUrl } from "@mkp/oauth";

/**
 * Step 1 of the login: the URL to send the user's browser to.
 * Keep `session` with the user's session: the callback needs it.
 */
export async function startLogin(redirectUri: string) {
  const { url, state, codeVerifier } = await buildAuthorizationUrl({
    clientId: process.env.MAKEPRINTABLE_CLIENT_ID!,
    redirectUri, // exactly as registered on your app page
    scopes: SCOPES,
    pkce: true,
    // Unset: Makeprintable's own page; set it to use the sandbox.
    authorizeUrl: process.env.MAKEPRINTABLE_AUTHORIZE_URL,
  });
  return { url, session: { state, codeVerifier } };
}
