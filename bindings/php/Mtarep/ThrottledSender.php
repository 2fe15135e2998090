<?php
/**
 * Throttled sending for PHP over libmtarep's rate limiter (extension mtarep).
 *
 * Replaces the usual `sleep(3600 / $maxPerHour)` loop: the budget lives in a
 * shared store (file:/path for every PHP-FPM worker and cron job of a host,
 * redis://host:port for several hosts), so concurrent senders share it and
 * an idle spell is not wasted. Limits are GCRA ("100/1h", "5000/1d:200"):
 * with T = PERIOD/N, over any interval L at most B + floor(L/T) pass.
 *
 *   require 'Mtarep/ThrottledSender.php';
 *   $s = new MtarepThrottledSender('file:/var/lib/app/throttle', ['100/1h'], 'ip:192.0.2.1');
 *   $s->send(fn() => mail($to, $subject, $body), count($recipients));
 *   $s->send([$phpmailer, 'send'], count($phpmailer->getAllRecipientAddresses()));
 */
declare(strict_types=1);

final class MtarepThrottledSender
{
    private MtarepThrottle $throttle;
    private string $key;

    /**
     * @param string   $storeUri  "file:/path", "redis://[[user]:password@]host[:port][/db]" or "memory:"
     * @param string[] $limits    one or more "N/PERIOD window" (at most N in any PERIOD) or
     *                            "N/PERIOD[:B]" (GCRA pacing), checked together, all or nothing
     * @param string   $key       what is limited: sending IP, domain, campaign...
     * @param string   $onFailure Redis down: "closed" (throw), "open" (send), "local" (per-process fallback)
     * @throws MtarepInvalidInputException for a bad URI or limit, MtarepIOFailureException for an unusable file
     */
    public function __construct(#[\SensitiveParameter] string $storeUri, array $limits, string $key,
                                string $onFailure = 'closed')
    {
        if ($limits === []) {
            throw new InvalidArgumentException('limits: none given');
        }
        foreach ($limits as $l) {
            if (!is_string($l) || str_contains($l, ',')) {
                throw new InvalidArgumentException('limits: one "N/PERIOD" string per item');
            }
        }
        $this->throttle = new MtarepThrottle($storeUri, implode(',', $limits), $onFailure);
        $this->key = $key;
    }

    /**
     * Wait for room for $recipients units (at most $deadlineMs), then call
     * $send and return its result. The units stay counted even if $send
     * fails: an attempt is a send as far as the receiver is concerned.
     * @throws MtarepThrottledException when the wait needed exceeds the
     *   deadline (thrown at once, without sleeping in vain);
     *   MtarepLimitExceededException when $recipients can never pass (above the burst);
     *   MtarepTempFailException when the store fails in "closed" mode.
     */
    public function send(callable $send, int $recipients = 1, int $deadlineMs = 60000): mixed
    {
        $this->acquire($recipients, $deadlineMs);
        return $send();
    }

    /** Acquire without sending; returns the decision array (admitted, retry_after_ms, ...). */
    public function acquire(int $recipients = 1, int $deadlineMs = 60000): array
    {
        if ($recipients < 1) {
            throw new InvalidArgumentException('recipients must be >= 1');
        }
        if ($deadlineMs < 0) {
            throw new InvalidArgumentException('deadlineMs must be >= 0');
        }
        $d = $this->throttle->acquire($this->key, $recipients, $deadlineMs);
        if ($d['admitted']) {
            return $d;
        }
        if ($d['status'] === 'never') {
            throw new MtarepLimitExceededException(
                "{$this->key}: $recipients recipients can never pass these limits", MTAREP_ELIMIT);
        }
        throw new MtarepThrottledException(
            $d['message'] !== '' ? $d['message'] : "{$this->key}: retry after {$d['retry_after_ms']} ms",
            MTAREP_ETHROTTLED);
    }

    /** Non-blocking: the decision array; $d['admitted'] says whether the units were counted. */
    public function tryAcquire(int $recipients = 1): array
    {
        return $this->throttle->try_acquire($this->key, $recipients);
    }

    /** State without counting anything. */
    public function status(): array
    {
        return $this->throttle->status($this->key);
    }
}

// The namespaced name of the class layer (Mtarep/autoload.php finds this file).
if (!class_exists('Mtarep\ThrottledSender', false)) {
    class_alias(MtarepThrottledSender::class, 'Mtarep\ThrottledSender');
}
