import os

import requests

response = requests.get(
    "{{SERVER_URL}}/items/{{ITEM_ID}}",
    headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},
    timeout=10,
)
if response.status_code == 404:
    print("no such item")
else:
    response.raise_for_status()
    print(response.json())
