import { SCOPES } from "@mkp/client";
import { buildAuthorizationUrl } from "@mkp/oauth";

/**
 * Step 1 of the login: the URL to send the user's browser to. Keep `state` and `codeVerifier`
 * with the user's session; the callback needs both.
 */
export async function startLogin(redirectUri: string) {
  const { url, state, codeVerifier } = await buildAuthorizationUrl({
    clientId: process.env.MAKEPRINTABLE_CLIENT_ID!,
    redirectUri, // exactly as registered on your app page
    scopes: SCOPES,
    pkce: true,
    authorizeUrl: process.env.MAKEPRINTABLE_AUTHORIZE_URL, // unset: Makeprintable's own page
  });
  return { url, session: { state, codeVerifier } };
}
