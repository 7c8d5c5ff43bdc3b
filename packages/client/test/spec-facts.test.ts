import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as constants from "../src/generated/spec.js";

// The bundled spec exactly as it ships: `@mkp/client/openapi.json`.
const spec = createRequire(import.meta.url)("@mkp/client/openapi.json");

describe("the bundled spec holds every fact of the Authentication page", () => {
  it("serves API v1 from api.makeprintable.com", () => {
    expect(spec.openapi).toBe("3.1.0");
    expect(spec.servers).toEqual([{ url: "https://api.makeprintable.com/v1", description: expect.any(String) }]);
  });

  it("defines the API key as the `key` request header, with the page's example", () => {
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: "apiKey", in: "header", name: "key" });
    expect(spec.components.securitySchemes.apiKey.description).toContain("key: 12345weLove3DPrinting");
  });

  it("defines the OAuth 2.0 authorization-code flow with both URLs and both scopes", () => {
    const { oauth2 } = spec.components.securitySchemes;
    expect(oauth2.type).toBe("oauth2");
    expect(oauth2.flows.authorizationCode).toMatchObject({
      authorizationUrl: "https://makeprintable.com/authorize",
      tokenUrl: "https://api.makeprintable.com/v1/token",
      "x-code-lifetime-seconds": 180,
    });
    expect(oauth2.flows.authorizationCode.scopes).toEqual({
      add_file: expect.stringContaining("add 3D files on behalf of the user"),
      fix: expect.stringContaining("request fixes on behalf of the user"),
    });
    expect(oauth2.description).toContain("Authorization: Bearer sec_3dFix");
    expect(oauth2.description).toMatch(/not enforced yet/);
  });

  it("lets protected operations use either scheme", () => {
    expect(spec.security).toEqual([{ apiKey: [] }, { oauth2: [] }]);
  });

  it("documents POST /token: public, form-encoded, five required fields, RFC 6749 responses", () => {
    const operation = spec.paths["/token"].post;
    expect(operation.security).toEqual([]);
    const form = operation.requestBody.content["application/x-www-form-urlencoded"];
    const schema = spec.components.schemas.TokenRequest;
    expect(form.schema.$ref).toBe("#/components/schemas/TokenRequest");
    expect(schema.required).toEqual(["client_id", "client_secret", "redirect_uri", "grant_type", "code"]);
    expect(schema.properties.grant_type.const).toBe("authorization_code");
    expect(schema.properties.code.description).toMatch(/3 minutes, single use/);
    expect(form.example).toEqual({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uri: expect.any(String),
      grant_type: "authorization_code",
      code: expect.any(String),
    });
    const ok = operation.responses["200"];
    expect(ok.headers["Cache-Control"].schema.const).toBe("no-store");
    expect(spec.components.schemas.TokenResponse.required).toEqual(["access_token", "token_type"]);
    expect(Object.keys(spec.components.schemas.TokenResponse.properties)).toEqual(["access_token", "token_type", "expires_in", "refresh_token", "scope"]);
    expect(operation.description).toMatch(/does not show the response body/);
    for (const status of ["400", "401"]) {
      expect(operation.responses[status].content["application/json"].schema.$ref).toBe("#/components/schemas/OAuthError");
      expect(operation.responses[status].content["application/json"].example.error).toEqual(expect.any(String));
    }
    expect(spec.components.schemas.OAuthError.properties.error.enum).toEqual([
      "invalid_request",
      "invalid_client",
      "invalid_grant",
      "unauthorized_client",
      "unsupported_grant_type",
      "invalid_scope",
    ]);
  });

  it("documents GET /authorize on makeprintable.com with its parameters and both outcomes", () => {
    const item = spec.paths["/authorize"];
    expect(item.servers).toEqual([{ url: "https://makeprintable.com", description: expect.any(String) }]);
    const parameters = Object.fromEntries(item.get.parameters.map((p: { name: string }) => [p.name, p]));
    expect(parameters.client_id.required).toBe(true);
    expect(parameters.redirect_uri.required).toBe(true);
    expect(parameters.response_type.schema.default).toBe("authorization_code");
    expect(parameters.response_type.description).toMatch(/RFC 6749 §4.1.1 calls this value\s+`code`/);
    expect(parameters.state.required).toBe(false);
    expect(parameters.scope.required).toBe(false);
    expect(item.get.responses["302"].description).toMatch(/code.*state/s);
    expect(item.get.responses["302"].description).toMatch(/error=access_denied/);
  });

  it("carries the authentication guide in info.description", () => {
    const guide: string = spec.info.description;
    for (const fact of [
      "key: 12345weLove3DPrinting",
      "https://makeprintable.com/authorize",
      "response_type=authorization_code",
      "grant_type=authorization_code",
      "**3 minutes**",
      "Authorization: Bearer sec_3dFix",
      "`add_file`",
      "`fix`",
      "not implemented yet",
    ]) {
      expect(guide).toContain(fact);
    }
  });
});

describe("the generated constants match the spec", () => {
  it.each([
    ["SERVER_URL", "https://api.makeprintable.com/v1"],
    ["API_KEY_HEADER", "key"],
    ["API_KEY_EXAMPLE", "12345weLove3DPrinting"],
    ["AUTHORIZATION_URL", "https://makeprintable.com/authorize"],
    ["TOKEN_URL", "https://api.makeprintable.com/v1/token"],
    ["TOKEN_PATH", "/token"],
    ["GRANT_TYPE", "authorization_code"],
    ["DEFAULT_RESPONSE_TYPE", "authorization_code"],
    ["AUTHORIZATION_CODE_LIFETIME_SECONDS", 180],
  ])("%s", (name, value) => {
    expect(new Map(Object.entries(constants)).get(name)).toEqual(value);
  });

  it("lists the scopes and marks the public operations", () => {
    expect(constants.SCOPES).toEqual(["add_file", "fix"]);
    expect(constants.OPERATIONS.createToken).toMatchObject({
      method: "POST",
      path: "/token",
      authenticated: false,
      requestBodyType: "application/x-www-form-urlencoded",
    });
    expect(constants.OPERATIONS.authorize).toMatchObject({ serverUrl: "https://makeprintable.com", authenticated: false });
    expect(constants.OPERATIONS.createItem).toMatchObject({ authenticated: true, scopes: ["add_file"] });
    expect(constants.OPERATIONS.createFix).toMatchObject({ authenticated: true, scopes: ["fix"] });
  });

  it("has compact route lookups that agree with OPERATIONS (the client's request path reads them)", () => {
    const operations = Object.values(constants.OPERATIONS);
    const route = (operation: (typeof operations)[number]) => `${operation.method} ${operation.path}`;
    expect(constants.PUBLIC_ROUTES).toEqual(["GET /authorize", "POST /token"]);
    expect(constants.PUBLIC_ROUTES).toEqual(operations.filter((operation) => !operation.authenticated).map(route));
    expect(constants.REQUEST_BODY_TYPES).toEqual({
      "POST /token": "application/x-www-form-urlencoded",
      "POST /items": "multipart/form-data",
      "POST /fixes": "application/x-www-form-urlencoded",
    });
    expect(constants.REQUEST_BODY_TYPES).toEqual(
      Object.fromEntries(operations.flatMap((operation) => (operation.requestBodyType ? [[route(operation), operation.requestBodyType]] : []))),
    );
  });
});
