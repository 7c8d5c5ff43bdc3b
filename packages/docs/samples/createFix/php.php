<?php
$ch = curl_init('{{SERVER_URL}}/fixes');
curl_setopt_array($ch, [
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_POST => true,
    CURLOPT_POSTFIELDS => http_build_query([ // form-encoded
        'item_id' => {{ITEM_ID}},
        'name' => 'repaired',
        'print_quality' => 'standard',
        // 'callback_url' => 'https://example.com/fix-done', // called when the repair is done
    ]),
    CURLOPT_RETURNTRANSFER => true,
]);
$fix = json_decode(curl_exec($ch), true);
echo "fix {$fix['id']}: {$fix['status']}\n";
