<?php
$ch = curl_init('{{SERVER_URL}}/items/{{ITEM_ID}}');
curl_setopt_array($ch, [
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_RETURNTRANSFER => true,
]);
$body = curl_exec($ch);
if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) === 404) {
    exit("no such item\n");
}
print_r(json_decode($body, true));
