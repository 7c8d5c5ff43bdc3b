# Not an API call: send the user's browser to the URL this
# prints. Keep $state and check it when the user comes back.
state=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
curl -sG "{{AUTHORIZATION_URL}}" \
  --data-urlencode "client_id=$MAKEPRINTABLE_CLIENT_ID" \
  --data-urlencode "redirect_uri=https://example.com/callback" \
  --data-urlencode "response_type={{RESPONSE_TYPE}}" \
  --data-urlencode "scope={{SCOPES}}" \
  --data-urlencode "state=$state" \
  -o /dev/null -w '%{url_effective}\n'
