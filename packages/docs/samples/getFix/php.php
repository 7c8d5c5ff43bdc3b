<?php
$ch = curl_init('{{SERVER_URL}}/fixes/{{FIX_ID}}');
curl_setopt_array($ch, [
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_RETURNTRANSFER => true,
]);
$fix = json_decode(curl_exec($ch), true);
echo "{$fix['status']}, {$fix['progress']}\n";
