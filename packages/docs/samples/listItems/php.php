<?php
$ch = curl_init('{{SERVER_URL}}/items?' . http_build_query(['page' => 1, 'pageSize' => 20]));
curl_setopt_array($ch, [
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_RETURNTRANSFER => true,
]);
$items = json_decode(curl_exec($ch), true);
print_r($items);
