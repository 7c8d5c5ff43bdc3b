import os
import sys

import requests


def exchange_code(code: str, redirect_uri: str) -> dict:
    """Server-side, within 3 minutes of the redirect: a code is good for one exchange."""
    response = requests.post(
        "{{TOKEN_URL}}",
        data={  # sent form-encoded
            "client_id": os.environ["MAKEPRINTABLE_CLIENT_ID"],
            "client_secret": os.environ["MAKEPRINTABLE_CLIENT_SECRET"],
            "redirect_uri": redirect_uri,
            "grant_type": "{{GRANT_TYPE}}",
            "code": code,
        },
        timeout=10,
    )
    if response.status_code != 200:
        # invalid_grant: the code expired, was used already or redirect_uri differs. Restart the login.
        raise RuntimeError(f"token request failed: {response.status_code} {response.json().get('error')}")
    return response.json()  # access_token, token_type "Bearer", expires_in


if __name__ == "__main__":
    token = exchange_code(sys.argv[1], "https://example.com/callback")
    # Call the API as the user: headers={"Authorization": f"Bearer {token['access_token']}"}
    print(token["token_type"])
