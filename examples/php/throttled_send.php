<?php
/*
 * Throttled sending with MtarepThrottledSender: the replacement for
 * `sleep(3600 / $maxPerHour)` between mail() calls.
 *
 * Runs offline: each "send" appends a line to an outbox file (swap the
 * closure for mail(...) or [$phpmailer, 'send']). The budget lives in a
 * shared store, so PHP-FPM workers, cron jobs and Python senders
 * (examples/python/throttled_send.py) on one host share it.
 *
 *   php -d extension=build/bindings/php/mtarep.so examples/php/throttled_send.php \
 *       file:/tmp/throttle.tbl /tmp/outbox.txt [MESSAGES] [LIMIT] [DEADLINE_MS]
 */
declare(strict_types=1);

require_once __DIR__ . '/../../bindings/php/Mtarep/ThrottledSender.php';

if ($argc < 3) {
    fwrite(STDERR, "usage: throttled_send.php STORE OUTBOX [MESSAGES] [LIMIT] [DEADLINE_MS]\n");
    exit(2);
}
[$store, $outbox] = [$argv[1], $argv[2]];
$messages = (int)($argv[3] ?? 8);
$limit = $argv[4] ?? '5/1d window'; // at most 5 in any 24 h
$deadlineMs = (int)($argv[5] ?? 0);

$sender = new MtarepThrottledSender($store, [$limit], 'ip:192.0.2.1');
$sent = $deferred = 0;
for ($n = 1; $n <= $messages; $n++) {
    try {
        $sender->send(function () use ($outbox, $n) {
            // mail($to, $subject, $body) would go here
            return file_put_contents($outbox, "message $n\n", FILE_APPEND | LOCK_EX) !== false;
        }, 1, $deadlineMs);
        $sent++;
    } catch (MtarepThrottledException $e) {
        $deferred++;
        echo "message $n: deferred: {$e->getMessage()}\n";
    }
}
echo "sent $sent, deferred $deferred\n";
