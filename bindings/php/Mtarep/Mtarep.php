<?php
/**
 * Mtarep\Mtarep: the module-level functions of the extension with PHP
 * naming (no context, no DNS): version, error names, SMTP reply
 * classification, log scanning, warm-up plans.
 */
declare(strict_types=1);

namespace Mtarep;

final class Mtarep
{
    /** Version of the loaded libmtarep, "MAJOR.MINOR.PATCH". */
    public static function version(): string
    {
        return mtarep_version();
    }

    /** The version as 0xMMmmpp. */
    public static function versionNum(): int
    {
        return mtarep_version_num();
    }

    /** Short description of a C status code (MTAREP_E* constant). */
    public static function strerror(int $code): string
    {
        return mtarep_strerror($code);
    }

    /** C name of a status code ("MTAREP_EINVAL"). */
    public static function errorName(int $code): string
    {
        return mtarep_error_name($code);
    }

    /** @return string[] the zones dnsblCheck() uses when given none */
    public static function defaultZones(): array
    {
        return mtarep_default_zones();
    }

    /** Does PTR $name look generic/dynamic for $ip? No DNS is asked. */
    public static function rdnsNameIsGeneric(string $name, string $ip): bool
    {
        return mtarep_rdns_name_is_generic($name, $ip);
    }

    /**
     * Classify an SMTP reply: category (reputation, blocklist,
     * authentication, rdns, rate-limit, content, policy, mailbox, other),
     * receiver, blocklist, advice, code, enhanced_code, rule.
     */
    public static function classify(string $reply): array
    {
        return mtarep_classify($reply);
    }

    /**
     * Scan Postfix/Exim logs (plain or gzip'd; "-" is stdin): format,
     * totals, domains, relays (counts and causes).
     * @param string|string[] $paths
     * @param string[]|null $excludeRelays relays (content filters) not to count
     */
    public static function logscan(string|array $paths, string $format = 'auto', ?string $since = null,
                                   ?array $excludeRelays = null): array
    {
        return mtarep_logscan((array)$paths, $format, $since,
                              $excludeRelays === null ? null : implode(',', $excludeRelays));
    }

    /**
     * Module-level functions of the extension not wrapped here, camelCase to
     * snake_case: Mtarep::providerFoo($x) calls mtarep_provider_foo($x).
     * @throws \BadMethodCallException when the extension has no such function
     */
    public static function __callStatic(string $name, array $args): mixed
    {
        $fn = 'mtarep_' . strtolower((string)preg_replace('/(?<!^)[A-Z]/', '_$0', $name));
        if (!function_exists($fn)) {
            throw new \BadMethodCallException("Mtarep\\Mtarep has no method $name()");
        }
        return $fn(...$args);
    }

    /**
     * A warm-up plan: rows {day, date, daily, hourly}.
     * @param string|null $preset "mtarep" (default), "sendgrid", "sparkpost", "mailtrap"
     * @param string|null $schedule a plan in the warm-up spec language instead (docs/throttle.md)
     * @param string|null $start "YYYY-MM-DD" fills "date"
     * @param int $days 0: the plan's own length
     */
    public static function warmupPlan(?string $preset = null, ?string $schedule = null,
                                      ?string $start = null, int $days = 0): array
    {
        return mtarep_warmup_plan($preset, $schedule, $start, $days);
    }
}
