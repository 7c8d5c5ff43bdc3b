import os

import requests

response = requests.delete(
    "{{SERVER_URL}}/items/{{ITEM_ID}}",
    headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},
    timeout=10,
)
response.raise_for_status()
print("deleted")
