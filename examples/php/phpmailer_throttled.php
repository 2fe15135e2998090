<?php
/*
 * A throttled mailer with PHPMailer: real SMTP, paced by libmtarep's rate
 * limiter. The budget is a shared store, so PHP-FPM workers, cron jobs and
 * Python senders (examples/python/smtp_throttled.py) with the same store
 * and key share one warm-up rate.
 *
 *   php -d extension=mtarep examples/php/phpmailer_throttled.php \
 *       --smtp 127.0.0.1:2525 --store file:/var/lib/mtarep/t.tbl --limit 100/1h \
 *       --to rcpt@example.com --count 10 [--key ip:192.0.2.1] [--deadline 60000]
 *
 * Needs Debian's libphp-phpmailer (PHPMailer 6) and the mtarep extension.
 * Exit: 0 all sent, 1 some deferred (the wait exceeded the deadline) or failed.
 */
declare(strict_types=1);

use PHPMailer\PHPMailer\Exception as MailerException;
use PHPMailer\PHPMailer\PHPMailer;

require_once getenv('PHPMAILER_AUTOLOAD') ?: '/usr/share/php/libphp-phpmailer/autoload.php';
require_once (getenv('MTAREP_PHP_LAYER') ?: __DIR__ . '/../../bindings/php') . '/Mtarep/autoload.php';

$o = getopt('', ['smtp:', 'store:', 'limit:', 'to:', 'count:', 'key:', 'deadline:', 'from:']);
foreach (['smtp', 'store', 'limit', 'to'] as $k) {
    if (!isset($o[$k])) {
        fwrite(STDERR, "usage: phpmailer_throttled.php --smtp HOST:PORT --store URI --limit N/PERIOD"
                     . " --to ADDR [--count N] [--key KEY] [--deadline MS] [--from ADDR]\n");
        exit(2);
    }
}
[$host, $port] = explode(':', $o['smtp']) + [1 => '25'];
$count = (int)($o['count'] ?? 1);
$deadline = (int)($o['deadline'] ?? 60000);

$sender = new Mtarep\ThrottledSender($o['store'], (array)$o['limit'], $o['key'] ?? 'ip:192.0.2.1');

$mail = new PHPMailer(true);          // exceptions on failure
$mail->isSMTP();
$mail->Host = $host;
$mail->Port = (int)$port;
$mail->SMTPAuth = false;
$mail->SMTPAutoTLS = false;           // a loopback sink without STARTTLS
$mail->SMTPKeepAlive = true;          // one connection for the batch
$mail->setFrom($o['from'] ?? 'php-sender@example.test', 'PHP sender');

$failed = 0;
for ($n = 1; $n <= $count; $n++) {
    $mail->clearAllRecipients();
    $mail->addAddress($o['to']);
    $mail->Subject = "php message $n";
    $mail->Body = "Message $n of $count, sent through Mtarep\\ThrottledSender.\n";
    try {
        // waits for room for one recipient, then sends; throws if the wait exceeds the deadline
        $sender->send([$mail, 'send'], count($mail->getAllRecipientAddresses()), $deadline);
        echo "sent php message $n\n";
    } catch (Mtarep\Exception\ThrottledException $e) {
        $failed++;
        echo "deferred php message $n: {$e->getMessage()}\n";
    } catch (MailerException $e) {
        $failed++;
        echo "failed php message $n: {$mail->ErrorInfo}\n";
    }
}
$mail->smtpClose();
exit($failed ? 1 : 0);
