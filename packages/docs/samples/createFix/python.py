import os

import requests

response = requests.post(
    "{{SERVER_URL}}/fixes",
    headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},
    data={  # sent form-encoded
        "item_id": {{ITEM_ID}},
        "name": "repaired",
        "print_quality": "standard",
        # "callback_url": "https://example.com/fix-done",  # called when the repair is done
    },
    timeout=10,
)
response.raise_for_status()
fix = response.json()
print(fix["id"], fix["status"])
