# Upload a file (a zip holding a 3D model works too) …
curl "{{SERVER_URL}}/items" \
  -H "{{API_KEY_HEADER}}: $MAKEPRINTABLE_API_KEY" \
  -F "file=@box_longline.obj"
# … or let Makeprintable download it:
#   -F "fileurl=https://example.com/models/box_longline.obj"
