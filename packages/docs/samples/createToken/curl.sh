# Server-side, within 3 minutes of the redirect: $CODE is its
# ?code=, good for one exchange. Never from a browser: the body
# carries your client secret.
curl "{{TOKEN_URL}}" \
  --data-urlencode "client_id=$MAKEPRINTABLE_CLIENT_ID" \
  --data-urlencode "client_secret=$MAKEPRINTABLE_CLIENT_SECRET" \
  --data-urlencode "redirect_uri=https://example.com/callback" \
  --data-urlencode "grant_type={{GRANT_TYPE}}" \
  --data-urlencode "code=$CODE"
# Then call the API with -H "Authorization: Bearer <access_token>".
