<?php
// Step 1: send the user's browser to Makeprintable. Keep the state in the session.
session_start();
$_SESSION['oauth_state'] = rtrim(strtr(base64_encode(random_bytes(32)), '+/', '-_'), '=');

$query = http_build_query([
    'client_id' => getenv('MAKEPRINTABLE_CLIENT_ID'),
    'redirect_uri' => 'https://example.com/callback', // exactly as registered on your app page
    'response_type' => '{{RESPONSE_TYPE}}',
    'scope' => '{{SCOPES}}',
    'state' => $_SESSION['oauth_state'],
], '', '&', PHP_QUERY_RFC3986);

header('Location: {{AUTHORIZATION_URL}}?' . $query, true, 302);
