<?php
$ch = curl_init('{{SERVER_URL}}/items');
curl_setopt_array($ch, [
    CURLOPT_HTTPHEADER => ['{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')],
    CURLOPT_POST => true,
    // A file (or a zip holding one) as multipart/form-data; or ['fileurl' => 'https://…'].
    CURLOPT_POSTFIELDS => ['file' => new CURLFile('box_longline.obj')],
    CURLOPT_RETURNTRANSFER => true,
]);
$item = json_decode(curl_exec($ch), true);
echo "item {$item['id']}: {$item['file_name']}.{$item['file_ext']}\n";
