curl "{{SERVER_URL}}/items?page=1&pageSize=20" \
  -H "{{API_KEY_HEADER}}: $MAKEPRINTABLE_API_KEY"
