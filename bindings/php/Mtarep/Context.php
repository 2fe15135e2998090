<?php
/**
 * Mtarep\Context: the checks of libmtarep with PHP naming (camelCase),
 * over the extension's MtarepContext (whose snake_case methods stay
 * available through raw()). Results are arrays with the keys of Python's
 * to_dict(); failures throw Mtarep\Exception\...Exception (the classes of
 * bindings/errors.tsv: InvalidInputException, TimeoutException, ...).
 *
 * Methods of modules added to the extension later (provider, precheck, ...)
 * are reachable at once through __call: $ctx->fooBar($x) calls
 * MtarepContext::foo_bar($x).
 *
 * One context is used by one request/thread at a time.
 */
declare(strict_types=1);

namespace Mtarep;

final class Context
{
    private const OPTIONS = ['nameservers', 'zoneFiles', 'zoneText', 'timeoutMs', 'retries'];

    private \MtarepContext $c;

    /**
     * @param array{nameservers?: string[], zoneFiles?: string[], zoneText?: string|string[],
     *              timeoutMs?: int, retries?: int} $options
     *   nameservers "ADDR[:PORT]" (default: /etc/resolv.conf); zoneFiles /
     *   zoneText: answer from these RFC 1035 zones instead of the network;
     *   timeoutMs per DNS try (default 2000); retries after the first (default 1).
     * @throws \InvalidArgumentException for an unknown option
     * @throws Exception\MtarepException (a subclass) for a bad server, zone or value
     */
    public function __construct(array $options = [])
    {
        foreach (array_keys($options) as $k) {
            if (!in_array($k, self::OPTIONS, true)) {
                throw new \InvalidArgumentException("unknown option '$k' (known: "
                    . implode(', ', self::OPTIONS) . ')');
            }
        }
        $this->c = new \MtarepContext($options['timeoutMs'] ?? 2000, $options['retries'] ?? 1);
        foreach ((array)($options['nameservers'] ?? []) as $ns) {
            $this->c->add_nameserver($ns);
        }
        foreach ((array)($options['zoneFiles'] ?? []) as $f) {
            $this->c->add_zone_file($f);
        }
        foreach ((array)($options['zoneText'] ?? []) as $t) {
            $this->c->add_zone_text($t);
        }
    }

    /** The extension's object (snake_case methods, same results). */
    public function raw(): \MtarepContext
    {
        return $this->c;
    }

    /** Ask this server ("ADDR[:PORT]") instead of resolv.conf's. */
    public function addNameserver(string $addr): void
    {
        $this->c->add_nameserver($addr);
    }

    /** Use the servers of a resolv.conf file (null: /etc/resolv.conf). */
    public function loadResolvConf(?string $path = null): void
    {
        $this->c->load_resolv_conf($path);
    }

    /** Answer from an RFC 1035 zone file (in memory, nothing is sent). */
    public function addZoneFile(string $path): void
    {
        $this->c->add_zone_file($path);
    }

    /** Answer from RFC 1035 zone text (in memory, nothing is sent). */
    public function addZoneText(string $text): void
    {
        $this->c->add_zone_text($text);
    }

    /** Add or override blocklist definitions (docs/dnsbl-zones.md format). */
    public function loadDnsblZoneDefs(string $text): void
    {
        $this->c->load_dnsbl_zone_defs($text);
    }

    public function setTimeoutMs(int $ms): void
    {
        $this->c->set_timeout_ms($ms);
    }

    public function setRetries(int $retries): void
    {
        $this->c->set_retries($retries);
    }

    public function clearCache(): void
    {
        $this->c->clear_cache();
    }

    /**
     * Every query (IP or domain) against every zone at once.
     * @param string|string[] $queries
     * @param string[]|null   $zones null: the default set
     * @return array<int, array> one row per (query, zone): query, zone, list_name,
     *   status ("listed", "not_listed", "error" = no verdict, "not_applicable"),
     *   codes, meanings, description, txt, error, error_code
     */
    public function dnsblCheck(string|array $queries, ?array $zones = null, bool $fetchTxt = true,
                               bool $healthCheck = true): array
    {
        return $this->c->dnsbl_check((array)$queries, $zones, $fetchTxt, $healthCheck);
    }

    /**
     * PTR, forward confirmation, HELO comparison. fcrdns, helo_match,
     * helo_resolves, has_ptr: true, false or null (unknown).
     */
    public function rdnsCheck(string $ip, ?string $helo = null): array
    {
        return $this->c->rdns_check($ip, $helo);
    }

    /** Records of $type for $name, presentation format ([] for NXDOMAIN/NODATA). */
    public function dnsLookup(string $name, string $type = 'A'): array
    {
        return $this->c->dns_lookup($name, $type);
    }

    /**
     * RFC 7208 check_host(): result (pass, fail, softfail, neutral, none,
     * permerror, temperror: a DNS failure, never pass), explanation, lookups, tree...
     * $sender "" checks the HELO identity.
     */
    public function spfCheck(string $ip, ?string $sender, ?string $helo = null): array
    {
        return $this->c->spf_check($ip, $sender, $helo);
    }

    /** Validate a domain's SPF tree (every include/redirect); adds "valid". */
    public function spfInspect(string $domain): array
    {
        return $this->c->spf_inspect($domain);
    }

    /** Validate SPF record text without DNS. */
    public function spfValidate(string $record): array
    {
        return $this->c->spf_validate($record);
    }

    /** Validate DKIM key record text: verdict (valid, warning, invalid), problems, key_type, key_bits. */
    public function dkimValidate(string $record): array
    {
        return $this->c->dkim_validate($record);
    }

    /** Fetch and validate selector._domainkey.domain (verdict may be "none" or "unknown"). */
    public function dkimFetch(string $domain, string $selector): array
    {
        return $this->c->dkim_fetch($domain, $selector);
    }

    /**
     * Try selectors side by side (null: the built-in common ones): found, undecided, selectors.
     * @param string[]|null $selectors
     */
    public function dkimDiscover(string $domain, ?array $selectors = null): array
    {
        return $this->c->dkim_discover($domain, $selectors);
    }

    /** Validate DMARC record text: verdict, problems, policy, tags. */
    public function dmarcValidate(string $record): array
    {
        return $this->c->dmarc_validate($record);
    }

    /** Find (RFC 9989 tree walk) and validate the DMARC policy of $domain. */
    public function dmarcFetch(string $domain): array
    {
        return $this->c->dmarc_fetch($domain);
    }

    /**
     * Methods of the extension's context not wrapped above, camelCase to
     * snake_case: $ctx->precheckRun(...) calls MtarepContext::precheck_run(...).
     * $args are hidden from exception traces: provider keys and tokens pass here.
     * @throws \BadMethodCallException when the extension has no such method
     */
    public function __call(string $name, #[\SensitiveParameter] array $args): mixed
    {
        $snake = strtolower((string)preg_replace('/(?<!^)[A-Z]/', '_$0', $name));
        if (!method_exists($this->c, $snake)) {
            throw new \BadMethodCallException("Mtarep\\Context has no method $name()");
        }
        return $this->c->$snake(...$args);
    }
}
