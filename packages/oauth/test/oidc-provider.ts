import { createServer } from "node:http";
import { listenOnLoopback } from "@mkp/testing";
import Provider from "oidc-provider";

/**
 * `oidc-provider` (panva), a certified OAuth 2.0 / OpenID Connect server we did not write, on
 * 127.0.0.1 with one confidential client and its development login and consent pages.
 */
export async function startOidcProvider(
  client: { clientId: string; clientSecret: string; redirectUris: string[] },
  /** Rewrites the token endpoint's JSON body, to play servers that send it slightly differently. */
  rewriteTokenResponse?: (body: Record<string, unknown>) => Record<string, unknown>,
) {
  const server = createServer();
  const { url: issuer, close } = await listenOnLoopback(server);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        application_type: "native", // RFC 8252 §7.3: loopback redirect URIs match any port
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    scopes: ["fix", "add_file"],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => false },
    findAccount: async (_: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  if (rewriteTokenResponse) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === "/token" && ctx.status === 200) ctx.body = rewriteTokenResponse(ctx.body as Record<string, unknown>);
    });
  }
  server.on("request", provider.callback());
  return {
    issuer,
    authorizeUrl: `${issuer}/auth`,
    /** `exchangeCode` posts to `${baseUrl}/token`, which is this provider's token endpoint. */
    baseUrl: issuer,
    close,
  };
}
