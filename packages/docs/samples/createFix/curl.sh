curl "{{SERVER_URL}}/fixes" \
  -H "{{API_KEY_HEADER}}: $MAKEPRINTABLE_API_KEY" \
  --data-urlencode "item_id={{ITEM_ID}}" \
  --data-urlencode "name=repaired" \
  --data-urlencode "print_quality=standard"
# To be called when the repair is done, add:
#   --data-urlencode "callback_url=https://example.com/fix-done"
