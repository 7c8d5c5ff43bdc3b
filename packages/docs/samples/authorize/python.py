import os
import secrets
from urllib.parse import urlencode


def start_login(redirect_uri: str) -> tuple[str, str]:
    """Step 1: the URL to send the user's browser to, and the state to keep in the session."""
    state = secrets.token_urlsafe(32)
    query = urlencode({
        "client_id": os.environ["MAKEPRINTABLE_CLIENT_ID"],
        "redirect_uri": redirect_uri,  # exactly as registered on your app page
        "response_type": "{{RESPONSE_TYPE}}",
        "scope": "{{SCOPES}}",
        "state": state,
    })
    return f"{{AUTHORIZATION_URL}}?{query}", state


if __name__ == "__main__":
    url, state = start_login("https://example.com/callback")
    print(url)
