<?php
// Your redirect_uri handler: check the state, then exchange the code (3 minutes, single use).
session_start();
if (!isset($_GET['state'], $_SESSION['oauth_state']) || !hash_equals($_SESSION['oauth_state'], $_GET['state'])) {
    http_response_code(400);
    exit('state mismatch: start the login again');
}
unset($_SESSION['oauth_state']);
if (isset($_GET['error'])) {
    exit('You did not allow the app (' . htmlspecialchars($_GET['error']) . ').');
}

$ch = curl_init('{{TOKEN_URL}}');
curl_setopt_array($ch, [
    CURLOPT_POST => true,
    CURLOPT_POSTFIELDS => http_build_query([ // form-encoded
        'client_id' => getenv('MAKEPRINTABLE_CLIENT_ID'),
        'client_secret' => getenv('MAKEPRINTABLE_CLIENT_SECRET'),
        'redirect_uri' => 'https://example.com/callback',
        'grant_type' => '{{GRANT_TYPE}}',
        'code' => $_GET['code'],
    ]),
    CURLOPT_RETURNTRANSFER => true,
]);
$token = json_decode(curl_exec($ch), true);
if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) !== 200) {
    exit('Login failed (' . htmlspecialchars($token['error'] ?? 'error') . '): please try again.');
}
// Keep it server-side; send it as "Authorization: Bearer <access_token>".
$_SESSION['makeprintable_token'] = $token['access_token'];
