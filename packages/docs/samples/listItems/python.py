import os

import requests

response = requests.get(
    "{{SERVER_URL}}/items",
    params={"page": 1, "pageSize": 20},
    headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},
    timeout=10,
)
response.raise_for_status()
print(response.json())
