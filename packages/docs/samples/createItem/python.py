import os

import requests

# Upload a file (a zip holding a 3D model works too) …
with open("box_longline.obj", "rb") as model:
    response = requests.post(
        "{{SERVER_URL}}/items",
        headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},
        files={"file": model},
        timeout=60,
    )
# … or let Makeprintable download it: files={"fileurl": (None, "https://example.com/models/box_longline.obj")}
response.raise_for_status()
item = response.json()
print(item["id"], item["file_name"], item["file_ext"])
