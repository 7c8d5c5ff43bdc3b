<?php
$ch = curl_init('{{SERVER_URL}}/items/{{ITEM_ID}}');
curl_setopt_array($ch, [
    CURLOPT_CUSTOMREQUEST => 'DELETE',
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_RETURNTRANSFER => true,
]);
curl_exec($ch);
echo curl_getinfo($ch, CURLINFO_RESPONSE_CODE) < 300 ? "deleted\n" : "failed\n";
