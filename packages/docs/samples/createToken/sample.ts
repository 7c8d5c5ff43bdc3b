import { createClient } from "@mkp/client";
import { exchangeCode, parseCallback, tokenProvider } from "@mkp/oauth";

/**
 * Steps 3 and 4, on your server, in your redirect_uri's handler:
 * check `state`, exchange the code (3 minutes, single use) and
 * call the API as the user.
 */
export async function finishLogin(callbackUrl: string, session: { state: string; codeVerifier?: string | undefined }, redirectUri: string) {
  const { code } = parseCallback(callbackUrl, {
    expectedState: session.state,
  });
  const token = await exchangeCode({
    clientId: process.env.MAKEPRINTABLE_CLIENT_ID!,
    clientSecret: process.env.MAKEPRINTABLE_CLIENT_SECRET!,
    redirectUri,
    code,
    codeVerifier: session.codeVerifier,
  });
  // Every call of this client sends `Authorization: Bearer …` (refused once the token expired).
  return createClient({ accessToken: tokenProvider(token) });
}
