<?php
/**
 * Mtarep\Throttle: the GCRA rate limiter over a shared store (camelCase
 * over the extension's MtarepThrottle). Stores: "memory:", "file:/path"
 * (all processes of the host: PHP-FPM workers, cron jobs, Python senders),
 * "redis://[[user]:password@]host[:port][/db]". Limits "N/PERIOD[:B]" are
 * checked together, all or nothing (docs/throttle.md).
 *
 * Decisions are arrays: admitted, retry_after_ms, remaining, degraded,
 * message, status ("ok", "throttled", "never"), limits.
 */
declare(strict_types=1);

namespace Mtarep;

final class Throttle
{
    private \MtarepThrottle $t;

    /**
     * @param string|string[] $limits "100/1h" or a list of such
     * @param string $onFailure Redis down: "closed" (throw), "open" (admit), "local" (use $fallback)
     * @throws Exception\InvalidInputException for a bad URI or limit
     */
    public function __construct(#[\SensitiveParameter] string $store, string|array $limits, string $onFailure = 'closed',
                                ?string $fallback = null, int $timeoutMs = 500)
    {
        $limits = (array)$limits;
        if ($limits === []) {
            throw new \InvalidArgumentException('limits: none given');
        }
        foreach ($limits as $l) {
            if (!is_string($l) || str_contains($l, ',')) {
                throw new \InvalidArgumentException('limits: one "N/PERIOD" string per item');
            }
        }
        $this->t = new \MtarepThrottle($store, implode(',', $limits), $onFailure, $fallback, $timeoutMs);
    }

    /** Count $quantity units for $key now if every limit allows; never waits. */
    public function tryAcquire(string $key, int $quantity = 1): array
    {
        return $this->t->try_acquire($key, $quantity);
    }

    /**
     * Wait (at most $deadlineMs) until admitted.
     * @throws Exception\ThrottledException the wait needed exceeds the deadline (at once)
     * @throws Exception\LimitExceededException $quantity can never pass
     */
    public function acquire(string $key, int $quantity = 1, int $deadlineMs = 60000): array
    {
        $d = $this->t->acquire($key, $quantity, $deadlineMs);
        if ($d['admitted']) {
            return $d;
        }
        if ($d['status'] === 'never') {
            throw new Exception\LimitExceededException("$key: $quantity can never pass these limits",
                                                       MTAREP_ELIMIT);
        }
        throw new Exception\ThrottledException(
            $d['message'] !== '' ? $d['message'] : "$key: retry after {$d['retry_after_ms']} ms",
            MTAREP_ETHROTTLED);
    }

    /** State of $key without counting; "admitted": one unit would pass. */
    public function status(string $key): array
    {
        return $this->t->status($key);
    }

    /** Forget $key's state for these limits. */
    public function reset(string $key): void
    {
        $this->t->reset($key);
    }

    /** The store URI without any password. */
    public function store(): string
    {
        return $this->t->store();
    }
}
