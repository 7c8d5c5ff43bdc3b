/**
 * A new operation as a maintainer adds it to `spec/openapi.yaml`: `GET /account`, with a query
 * parameter, a documented example and a 401. The spec-edit loop (tools/e2e) adds it to a copy of
 * the repository; the spec:status and spec:diff tests to a copy of the spec.
 */
export const ACCOUNT_OPERATION = `  /account:
    get:
      tags: [Items]
      operationId: getAccount
      summary: Get your account
      description: The account the credential acts for.
      parameters:
        - name: verbose
          in: query
          required: false
          description: Include usage figures.
          schema:
            type: boolean
      responses:
        "200":
          description: The account.
          content:
            application/json:
              schema:
                type: object
                required: [id, email]
                properties:
                  id:
                    type: integer
                    description: The user id.
                  email:
                    type: string
                    description: The account's e-mail address.
              example:
                id: 8
                email: maker@example.com
        "401":
          $ref: "#/components/responses/Unauthorized"
`;

/** `spec`, the text of `spec/openapi.yaml`, with {@link ACCOUNT_OPERATION} as its last path. */
export function addAccountOperation(spec: string): string {
  if (!/^paths:\n[\s\S]*^components:\n/m.test(spec))
    throw new Error("spec/openapi.yaml no longer has `paths:` followed by `components:`: update addAccountOperation");
  return spec.replace(/^components:\n/m, `${ACCOUNT_OPERATION}components:\n`);
}
