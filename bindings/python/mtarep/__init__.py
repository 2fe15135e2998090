"""libmtarep for Python: diagnose a mail sender's reputation.

    >>> import mtarep
    >>> with mtarep.Context(nameservers=["127.0.0.1:5300"]) as ctx:
    ...     for r in ctx.dnsbl_check(["192.0.2.10"], zones=["zen.spamhaus.org"]):
    ...         print(r.zone, r.status, r.meanings)

Every failure raises a subclass of :class:`mtarep.Error` carrying ``code``
(the negative C status) and ``message``. Verdicts are never exceptions: a
blocklist zone that cannot be asked gives a result with status ``error``,
never ``not_listed``.

A :class:`Context` is used by one thread at a time (calls on one context are
serialised by a lock); separate contexts run in parallel, and the GIL is
released while the library waits for the network.
"""

import enum  # noqa: F401  (used by module sections that define their own enums)
import os
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, TypeVar, Union

from . import _capi
from ._results import *  # noqa: F401,F403  (result objects and verdict enums)
from ._results import __all__ as _results_all
from ._results import Result as _Result
from ._results import (DkimDiscovery, DkimKey, DmarcPolicy, DnsblResult, LogscanReport,
                       RdnsResult, ReplyInfo, SpfResult, ThrottleDecision, WarmupDay,
                       PrecheckReport, ProviderResult)
from ._errors import *  # noqa: F401,F403  (generated from bindings/errors.tsv)
from ._errors import __all__ as _errors_all
from ._errors import InvalidInput

__version__ = _capi.version()

__all__ = [
    "Context", "DnsblResult", "DnsblStatus", "RdnsResult", "ReplyInfo",
    "dnsbl_check", "rdns_check", "dns_lookup", "default_zones", "classify", "logscan",
    "precheck",
    "rdns_name_is_generic", "strerror", "version", "version_num",
] + list(_errors_all)
__all__ += [n for n in _results_all if n != "Result" and n not in __all__]

StrList = Union[str, Iterable[str]]
PathLike = Union[str, "os.PathLike[str]"]
F = TypeVar("F", bound=Callable[..., Any])


def version() -> str:
    """Version of the linked libmtarep, e.g. ``"0.2.0"``."""
    return _capi.version()


def version_num() -> int:
    """Version as ``0xMMmmpp`` (compare with ``>=``)."""
    return _capi.version_num()


def strerror(code: int) -> str:
    """Short description of a C status code."""
    return _capi.strerror(code)


def default_zones() -> List[str]:
    """Zones checked when ``zones`` is None."""
    return list(_capi.default_zones())


def rdns_name_is_generic(name: str, ip: str) -> bool:
    """Does PTR ``name`` look generic/dynamic for ``ip``? No DNS is asked."""
    return bool(_capi.rdns_name_is_generic(_text(name, "name"), _text(ip, "ip")))


def _text(value, what, none_ok=False):
    if value is None and none_ok:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidInput(f"{what} contains a NUL character", InvalidInput.code)
    return value


def _texts(value, what):
    """A str or an iterable of str -> list of str."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{what} must be str or an iterable of str, not bytes")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{what} must be str or an iterable of str, "
                        f"not {type(value).__name__}") from None
    return [_text(v, f"{what} item") for v in items]


def _uint(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not 0 <= value <= 0xFFFFFFFF:
        raise InvalidInput(f"{what} {value} out of range", InvalidInput.code)
    return value


class Context:
    """DNS set-up, timeouts and caches for a series of checks.

    ``nameservers``: "ADDR[:PORT]" strings (default: /etc/resolv.conf);
    ``zone_files`` / ``zone_text``: answer every query from these RFC 1035
    zones instead of the network. Each takes one str or an iterable.
    ``timeout_ms`` is per try, ``retries`` extra tries after the first.
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, nameservers: Optional[StrList] = None,
                 zone_files: Optional[Union[PathLike, Iterable[PathLike]]] = None,
                 zone_text: Optional[StrList] = None, timeout_ms: int = 2000,
                 retries: int = 1) -> None:
        self._lock = threading.Lock()
        self._c = _capi.Context(_uint(timeout_ms, "timeout_ms"), _uint(retries, "retries"))
        try:
            if nameservers is not None:
                for ns in _texts(nameservers, "nameservers"):
                    self._c.add_nameserver(ns)
            if zone_files is not None:
                files = [zone_files] if isinstance(zone_files, (str, os.PathLike)) \
                    else list(zone_files)
                for f in files:
                    self._c.add_zone_file(_text(os.fspath(f), "zone_files item"))
            if zone_text is not None:
                for t in _texts(zone_text, "zone_text"):
                    self._c.add_zone_text(t)
        except BaseException:
            self.close()
            raise

    def _ctx(self):
        if self._c is None:
            raise InvalidInput("the context is closed", InvalidInput.code)
        return self._c

    def close(self) -> None:
        """Free the C context now (also done when the object is collected)."""
        with self._lock:
            self._c = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    def add_nameserver(self, addr: str) -> None:
        """Ask this server ("ADDR[:PORT]", IPv4 or IPv6) instead of resolv.conf's."""
        with self._lock:
            self._ctx().add_nameserver(_text(addr, "addr"))

    def load_resolv_conf(self, path: Optional[PathLike] = None) -> None:
        """Use the nameservers of a resolv.conf file (None: /etc/resolv.conf)."""
        p = None if path is None else _text(os.fspath(path), "path")
        with self._lock:
            self._ctx().load_resolv_conf(p)

    def add_zone_file(self, path: PathLike) -> None:
        """Answer from this RFC 1035 zone file (in memory; nothing is sent)."""
        with self._lock:
            self._ctx().add_zone_file(_text(os.fspath(path), "path"))

    def add_zone_text(self, text: str) -> None:
        """Answer from this RFC 1035 zone text (in memory; nothing is sent)."""
        with self._lock:
            self._ctx().add_zone_text(_text(text, "text"))

    def load_dnsbl_zone_defs(self, text: str) -> None:
        """Add or override blocklist definitions (docs/dnsbl-zones.md format)."""
        with self._lock:
            self._ctx().load_dnsbl_zone_defs(_text(text, "text"))

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """Timeout of one DNS try in milliseconds."""
        with self._lock:
            self._ctx().set_timeout_ms(_uint(timeout_ms, "timeout_ms"))

    def set_retries(self, retries: int) -> None:
        """Extra DNS tries after the first."""
        with self._lock:
            self._ctx().set_retries(_uint(retries, "retries"))

    def clear_cache(self) -> None:
        """Forget every cached DNS answer."""
        with self._lock:
            self._ctx().clear_cache()

    def dnsbl_check(self, queries: StrList, zones: Optional[StrList] = None,
                    fetch_txt: bool = True, health_check: bool = True) -> List[DnsblResult]:
        """Check every query (IP or domain) against every zone at once.

        ``zones`` None selects :func:`default_zones` (an empty list raises
        :class:`InvalidInput` rather than meaning "default"). Returns a list of
        :class:`DnsblResult` in query-major order. Raises
        :class:`InvalidInput` for a malformed query or zone (nothing is sent).
        """
        q = _texts(queries, "queries")
        z = None if zones is None else _texts(zones, "zones")
        with self._lock:
            rows = self._ctx().dnsbl_check(q, z, bool(fetch_txt), bool(health_check))
        return [DnsblResult(d) for d in rows]

    def precheck(self, ips: StrList, domain: Optional[str] = None,
                 helo: Optional[str] = None, selectors: Optional[StrList] = None,
                 zones: Optional[StrList] = None,
                 log_files: Optional[Union[PathLike, Iterable[PathLike]]] = None,
                 probe_mx: Optional[str] = None, *, mailgun_key: Optional[str] = None,
                 mailgun_region: Optional[str] = None, snds_key: Optional[str] = None,
                 postmaster_token: Optional[str] = None,
                 provider_base_url: Optional[str] = None,
                 provider_ca_file: Optional[PathLike] = None,
                 provider_timeout_ms: int = 0) -> PrecheckReport:
        """Every check of a sending setup at once (mtarep_precheck()): a
        :class:`PrecheckReport` with ``verdict`` (:class:`CheckStatus`) and
        ``checks`` (:class:`PrecheckCheck`: ``name``, ``subject``,
        ``status``, ``evidence``, ``advice``), the most likely cause of a
        rejection first. ``ips``: one address or a list;
        ``selectors`` None: DKIM selector discovery; ``zones`` None: the
        default blocklists; ``log_files``: Postfix/Exim logs to summarise;
        ``probe_mx``: "HOST[:PORT]" to talk SMTP to (DATA is never sent).
        A check whose DNS failed is ``unknown``, never ``ok``.
        ``mailgun_key`` (with ``mailgun_region`` "us"/"eu"), ``snds_key``,
        ``postmaster_token``: also ask that provider (checks ``mailgun``,
        ``snds`` per IP, ``postmaster``; a failed request is ``unknown``); the
        keys never appear in the report or in exceptions.
        ``provider_base_url`` / ``provider_ca_file`` / ``provider_timeout_ms``
        (per request, 0: 30 s) are for tests and your own proxies."""
        q = _texts(ips, "ips")
        domain = _text(domain, "domain", none_ok=True)
        helo = _text(helo, "helo", none_ok=True)
        sel = _texts(selectors, "selectors") if selectors else None
        z = None if zones is None else _texts(zones, "zones")
        logs = None
        if log_files:
            logs = [_text(os.fspath(f), "log_files item") for f in
                    ([log_files] if isinstance(log_files, (str, os.PathLike)) else log_files)]
        probe_mx = _text(probe_mx, "probe_mx", none_ok=True)
        prov = [_text(v, n, none_ok=True) for v, n in (
            (mailgun_key, "mailgun_key"), (mailgun_region, "mailgun_region"),
            (snds_key, "snds_key"), (postmaster_token, "postmaster_token"),
            (provider_base_url, "provider_base_url"),
            (None if provider_ca_file is None else os.fspath(provider_ca_file),
             "provider_ca_file"))]
        timeout = _uint(provider_timeout_ms, "provider_timeout_ms")
        with self._lock:
            return PrecheckReport(self._ctx().precheck(q, domain, helo, sel, z, logs, probe_mx,
                                                       *prov, timeout))

    def rdns_check(self, ip: str, helo: Optional[str] = None) -> RdnsResult:
        """PTR, forward confirmation and HELO comparison for ``ip``."""
        ip = _text(ip, "ip")
        helo = _text(helo, "helo", none_ok=True)
        with self._lock:
            return RdnsResult(self._ctx().rdns_check(ip, helo))

    def spf_check(self, ip: str, sender: Optional[str],
                  helo: Optional[str] = None) -> SpfResult:
        """RFC 7208 check_host() for a client: a dict with ``result`` (pass,
        fail, softfail, neutral, none, permerror, temperror), ``explanation``,
        ``reason``, ``lookups``, ``void_lookups``, ``warnings`` and ``tree``.
        ``sender`` "" checks the HELO identity. A DNS timeout gives
        ``temperror``, never ``pass``."""
        ip = _text(ip, "ip")
        sender = _text(sender, "sender", none_ok=True)
        helo = _text(helo, "helo", none_ok=True)
        with self._lock:
            return SpfResult(self._ctx().spf_check(ip, sender, helo))

    def spf_inspect(self, domain: str) -> SpfResult:
        """Validate ``domain``'s SPF tree (every include/redirect): the same
        dict shape as :meth:`spf_check` plus ``valid``."""
        domain = _text(domain, "domain")
        with self._lock:
            return SpfResult(self._ctx().spf_inspect(domain))

    def spf_validate(self, record: str) -> SpfResult:
        """Validate SPF record text without DNS (dict as :meth:`spf_inspect`)."""
        record = _text(record, "record")
        with self._lock:
            return SpfResult(self._ctx().spf_validate(record))

    def dkim_validate(self, record: str) -> DkimKey:
        """Validate DKIM key record text without DNS: a dict with ``verdict``
        (valid, warning, invalid), ``problems`` ([{severity, message,
        offset}]), ``key_type``, ``key_bits``, ``testing``, ``revoked``,
        ``record``, ``name`` and ``selector``."""
        record = _text(record, "record")
        with self._lock:
            return DkimKey(self._ctx().dkim_validate(record))

    def dkim_fetch(self, domain: str, selector: str) -> DkimKey:
        """Fetch and validate ``selector._domainkey.domain`` (dict as
        :meth:`dkim_validate`; ``verdict`` may also be ``none`` or, when DNS
        failed, ``unknown``)."""
        domain = _text(domain, "domain")
        selector = _text(selector, "selector")
        with self._lock:
            return DkimKey(self._ctx().dkim_fetch(domain, selector))

    def dkim_discover(self, domain: str, selectors: Optional[StrList] = None) -> DkimDiscovery:
        """Try ``selectors`` (default: the built-in common ones) side by side:
        a dict with ``found``, ``undecided`` and ``selectors`` (one
        :meth:`dkim_fetch` dict per selector tried)."""
        domain = _text(domain, "domain")
        sel = None if selectors is None else _texts(selectors, "selectors")
        with self._lock:
            return DkimDiscovery(self._ctx().dkim_discover(domain, sel))

    def dmarc_validate(self, record: str) -> DmarcPolicy:
        """Validate DMARC record text without DNS: a dict with ``verdict``,
        ``problems``, ``policy``, ``record``, ``tags`` and (fetch only)
        ``policy_domain``, ``rule`` and ``org_domain``."""
        record = _text(record, "record")
        with self._lock:
            return DmarcPolicy(self._ctx().dmarc_validate(record))

    def dmarc_fetch(self, domain: str) -> DmarcPolicy:
        """Find (exact name, RFC 9989 tree walk) and validate the DMARC
        policy for ``domain`` (dict as :meth:`dmarc_validate`)."""
        domain = _text(domain, "domain")
        with self._lock:
            return DmarcPolicy(self._ctx().dmarc_fetch(domain))

    def dns_lookup(self, name: str, type: str = "A") -> List[str]:
        """Records of ``type`` for ``name`` as presentation-format RDATA
        ([] for NXDOMAIN or no data). Raises Timeout/TempFail/ParseError
        when there is no answer to give."""
        name = _text(name, "name")
        type = _text(type, "type")
        with self._lock:
            return list(self._ctx().dns_lookup(name, type))

    # --- reputation providers (bindings/provider.i, docs/providers.md) -----
    # Each returns the normalized result as a dict: source, subject, volume,
    # bounce_rate, complaint_rate (fractions 0..1), complaint_rate_upper_bound,
    # reputation (high/medium/low/bad), periods (the same per period, plus
    # start, end and the provider's raw fields), blocked (SNDS ranges); None
    # where the provider has no data. Keys never appear in exception text.

    def provider_mailgun(self, domain: str, key: str, region: Optional[str] = None,
                         duration: Optional[str] = None, resolution: Optional[str] = None,
                         api: Optional[str] = None, base_url: Optional[str] = None,
                         ca_file: Optional[PathLike] = None, timeout_ms: int = 0,
                         start: Optional[str] = None, end: Optional[str] = None) -> ProviderResult:
        """Mailgun statistics of ``domain``; ``region`` "us" or "eu",
        ``duration`` such as "1d" (or ``start``/``end``: RFC 2822 dates or
        Unix seconds as str), ``api`` "metrics" (default) or "stats".
        A wrong key or region raises AuthError."""
        args = [_text(domain, "domain"), _text(key, "key"),
                _text(region or "", "region"), _text(duration or "", "duration"),
                _text(resolution or "", "resolution"), _text(api or "", "api"),
                _text(base_url or "", "base_url"),
                _text(os.fspath(ca_file) if ca_file else "", "ca_file"),
                _uint(timeout_ms, "timeout_ms"), _text(start or "", "start"),
                _text(end or "", "end")]
        with self._lock:
            return ProviderResult(self._ctx().provider_mailgun(*args))

    def provider_snds(self, key: str, date: Optional[str] = None, base_url: Optional[str] = None,
                      ca_file: Optional[PathLike] = None, timeout_ms: int = 0) -> ProviderResult:
        """Microsoft SNDS: per-IP data (``date`` "MMDDYY", default the
        latest day) and blocked ranges."""
        args = [_text(key, "key"), _text(date or "", "date"), _text(base_url or "", "base_url"),
                _text(os.fspath(ca_file) if ca_file else "", "ca_file"),
                _uint(timeout_ms, "timeout_ms")]
        with self._lock:
            return ProviderResult(self._ctx().provider_snds(*args))

    def provider_postmaster(self, domain: str, token: str, days: int = 0,
                            base_url: Optional[str] = None, ca_file: Optional[PathLike] = None,
                            timeout_ms: int = 0, api: Optional[str] = None) -> ProviderResult:
        """Google Postmaster Tools traffic stats of ``domain`` for the last
        ``days`` days (default 7) with an OAuth bearer ``token``; ``api``
        "v1" (default, reputation levels) or "v2" (spam and reject rates)."""
        args = [_text(domain, "domain"), _text(token, "token"), _uint(days, "days"),
                _text(base_url or "", "base_url"),
                _text(os.fspath(ca_file) if ca_file else "", "ca_file"),
                _uint(timeout_ms, "timeout_ms"), _text(api or "", "api")]
        with self._lock:
            return ProviderResult(self._ctx().provider_postmaster(*args))

    def provider_parse(self, format: str, body: Union[str, bytes]) -> ProviderResult:
        """Normalize a body fetched elsewhere; ``format``: mailgun_stats,
        mailgun_metrics, snds_data, snds_ipstatus, postmaster (v1) or
        postmaster_v2."""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        with self._lock:
            return ProviderResult(self._ctx().provider_parse(_text(format, "format"),
                                                             _text(body, "body")))


def dnsbl_check(queries: StrList, zones: Optional[StrList] = None, fetch_txt: bool = True,
                health_check: bool = True, **ctx_kwargs: Any) -> List[DnsblResult]:
    """One-shot :meth:`Context.dnsbl_check` on a new context (``ctx_kwargs``
    as for :class:`Context`)."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.dnsbl_check(queries, zones, fetch_txt=fetch_txt, health_check=health_check)


def precheck(ips: StrList, domain: Optional[str] = None, helo: Optional[str] = None,
             selectors: Optional[StrList] = None, zones: Optional[StrList] = None,
             log_files: Optional[Union[PathLike, Iterable[PathLike]]] = None,
             probe_mx: Optional[str] = None, *, mailgun_key: Optional[str] = None,
             mailgun_region: Optional[str] = None, snds_key: Optional[str] = None,
             postmaster_token: Optional[str] = None, provider_base_url: Optional[str] = None,
             provider_ca_file: Optional[PathLike] = None, provider_timeout_ms: int = 0,
             **ctx_kwargs: Any) -> PrecheckReport:
    """One-shot :meth:`Context.precheck` on a new context (``ctx_kwargs`` as
    for :class:`Context`, e.g. ``nameservers`` or ``zone_files``)."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.precheck(ips, domain, helo, selectors=selectors, zones=zones,
                            log_files=log_files, probe_mx=probe_mx, mailgun_key=mailgun_key,
                            mailgun_region=mailgun_region, snds_key=snds_key,
                            postmaster_token=postmaster_token,
                            provider_base_url=provider_base_url,
                            provider_ca_file=provider_ca_file,
                            provider_timeout_ms=provider_timeout_ms)


def rdns_check(ip: str, helo: Optional[str] = None, **ctx_kwargs: Any) -> RdnsResult:
    """One-shot :meth:`Context.rdns_check` on a new context."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.rdns_check(ip, helo)


def dns_lookup(name: str, type: str = "A", **ctx_kwargs: Any) -> List[str]:
    """One-shot :meth:`Context.dns_lookup` on a new context."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.dns_lookup(name, type)



def classify(text: str) -> ReplyInfo:
    """Classify one SMTP reply text (with or without its codes).
    Raises InvalidInput for empty text, LimitExceeded past 4096 bytes."""
    return ReplyInfo(_capi.classify(_text(text, "text")))


def logscan(paths: Union[PathLike, Iterable[PathLike]], format: str = "auto",
            since: Optional[str] = None,
            exclude_relays: Optional[StrList] = None) -> LogscanReport:
    """Scan Postfix/Exim logs (plain or gzip'd files; "-" is stdin) in
    constant memory. Returns a dict: ``format``, ``totals`` and per-key
    ``domains`` / ``relays`` maps of counts (``sent``, ``deferred``,
    ``bounced``, ``expired`` delivery-attempt lines, and
    ``bounced_by_cause`` / ``deferred_by_cause`` keyed by reply category).
    ``since`` is a time such as "2026-12-01" or "2026-12-01T10:00";
    ``exclude_relays`` names relays (content filters) not to count."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    args = [_texts(paths, "paths"), _text(format, "format")]
    if since is not None or exclude_relays is not None:
        args.append(_text(since, "since", none_ok=True))
    if exclude_relays is not None:
        args.append(",".join(_texts(exclude_relays, "exclude_relays")))
    return LogscanReport(_capi.logscan(*args))


# --- Rate limiting and warm-up plans (bindings/throttle.i) -----------------

import contextlib as _contextlib
import datetime as _datetime
import functools as _functools

from ._errors import LimitExceeded as _LimitExceeded
from ._errors import Throttled as _Throttled

__all__ += ["Throttle", "warmup_plan"]


def _quantity(q):
    if isinstance(q, bool) or not isinstance(q, int):
        raise TypeError(f"quantity must be int, not {type(q).__name__}")
    if not 1 <= q <= 10**12:
        raise InvalidInput(f"quantity {q} out of range (1 .. 10**12)", InvalidInput.code)
    return q


class Throttle:
    """A rate limiter over a store shared by threads, processes or hosts.

    ``store``: "memory:", "file:/path" (every process of the host shares
    the budget) or "redis://[[user]:password@]host[:port][/db]".
    ``limits``: a limit string or a list of such. "100/1h window" is a
    sliding window: at most 100 in any hour, 100 at once on a fresh key.
    "100/1h" is GCRA pacing ("5000/1d:200" sets a burst of 200; the default
    burst is N): with T = PERIOD/N, over any interval L at most
    B + floor(L/T) units pass. All limits are checked at once, all or
    nothing (docs/throttle.md).
    ``on_failure`` (Redis only): "closed" (raise TempFail), "open" (admit,
    decision.degraded == "open") or "local" (decide with ``fallback``,
    default a per-process memory store).

        t = mtarep.Throttle("file:/var/lib/app/throttle", ["100/1h window", "1000/1d window"])
        with t.slot("ip:192.0.2.1", quantity=len(rcpts)):
            send()

    Thread-safe: one object may be shared; acquire() waits with the GIL
    released.
    """

    def __init__(self, store: str, limits: StrList, on_failure: str = "closed",
                 fallback: Optional[str] = None, timeout_ms: int = 500,
                 deadline_ms: int = 60000) -> None:
        lims = _texts(limits, "limits")
        if not lims:
            raise InvalidInput("limits: none given", InvalidInput.code)
        for lim in lims:
            if "," in lim:
                raise InvalidInput(f"limit {lim!r}: one limit per item", InvalidInput.code)
        self._deadline_ms = _uint(deadline_ms, "deadline_ms")
        self._t = _capi.Throttle(_text(store, "store"), ",".join(lims),
                                 _text(on_failure, "on_failure"),
                                 _text(fallback, "fallback", none_ok=True),
                                 _uint(timeout_ms, "timeout_ms"))
        self.limits = tuple(lims)

    @property
    def store(self) -> str:
        """The store URI without any password."""
        return self._handle().store()

    def _handle(self):
        if self._t is None:
            raise InvalidInput("the throttle is closed", InvalidInput.code)
        return self._t

    def try_acquire(self, key: str, quantity: int = 1) -> ThrottleDecision:
        """Count ``quantity`` units for ``key`` now if every limit allows.
        Never waits; returns a :class:`ThrottleDecision`."""
        return ThrottleDecision(self._handle().try_acquire(_text(key, "key"), _quantity(quantity)))

    def acquire(self, key: str, quantity: int = 1,
                deadline_ms: Optional[int] = None) -> ThrottleDecision:
        """Wait until admitted (at most ``deadline_ms``, default the
        object's). Raises :class:`mtarep.Throttled` (with ``decision``) when
        the wait needed exceeds the deadline (at once, not after waiting in
        vain) and :class:`mtarep.LimitExceeded` when it can never pass."""
        dl = self._deadline_ms if deadline_ms is None else _uint(deadline_ms, "deadline_ms")
        d = ThrottleDecision(self._handle().acquire(_text(key, "key"), _quantity(quantity), dl))
        if d.admitted:
            return d
        if d.status == "never":
            exc = _LimitExceeded(f"{key}: {quantity} can never pass these limits",
                                 _LimitExceeded.code)
        else:
            exc = _Throttled(d.message or f"{key}: retry after {d.retry_after_ms} ms",
                             _Throttled.code)
        exc.decision = d
        raise exc

    def status(self, key: str) -> ThrottleDecision:
        """State of ``key`` without counting; ``admitted``: one unit would pass."""
        return ThrottleDecision(self._handle().status(_text(key, "key")))

    def reset(self, key: str) -> None:
        """Forget ``key``'s state for these limits."""
        self._handle().reset(_text(key, "key"))

    @_contextlib.contextmanager
    def slot(self, key: str, quantity: int = 1,
             deadline_ms: Optional[int] = None) -> Iterator[ThrottleDecision]:
        """``with t.slot(key, n): send()``: acquire() first; the units stay
        counted whatever the block does (a send attempt is a send)."""
        yield self.acquire(key, quantity, deadline_ms)

    def limit(self, key: Union[str, Callable[..., str]], quantity: Union[int, Callable[..., int]] = 1,
              deadline_ms: Optional[int] = None) -> Callable[[F], F]:
        """Decorator: each call acquires first. ``key`` and ``quantity`` may
        be callables taking the call's arguments."""
        def deco(fn: F) -> F:
            @_functools.wraps(fn)
            def wrapper(*args, **kwargs):
                k = key(*args, **kwargs) if callable(key) else key
                q = quantity(*args, **kwargs) if callable(quantity) else quantity
                self.acquire(k, q, deadline_ms)
                return fn(*args, **kwargs)
            return wrapper  # type: ignore[return-value]
        return deco

    def close(self) -> None:
        """Drop the store connection (calls running in other threads finish first)."""
        self._t = None

    def __enter__(self) -> "Throttle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self):
        return f"Throttle(store={self.store if self._t else None!r}, limits={list(self.limits)!r})"


def warmup_plan(preset: Optional[str] = None,
                start: Optional[Union[str, "_datetime.date"]] = None,
                days: Optional[int] = None, schedule: Optional[str] = None) -> List[WarmupDay]:
    """A warm-up plan as a list of dicts {day, date, daily, hourly}.

    ``preset``: "mtarep" (default), "sendgrid", "sparkpost", "mailtrap";
    or ``schedule``: text in the warm-up spec language (docs/throttle.md).
    ``start``: a date (datetime.date or "YYYY-MM-DD") filling ``date``
    (None otherwise); ``days``: how many days (default the plan's length;
    past the end the last day's caps stay)."""
    if isinstance(start, _datetime.datetime):
        start = start.strftime("%Y-%m-%dT%H:%M:%SZ") if start.tzinfo is None else \
            start.astimezone(_datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(start, _datetime.date):
        start = start.isoformat()
    if days is None:
        days = 0
    elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        raise InvalidInput(f"days must be an int 1..366, not {days!r}", InvalidInput.code)
    return [WarmupDay(d) for d in _capi.warmup_plan(_text(preset, "preset", none_ok=True),
                             _text(schedule, "schedule", none_ok=True),
                             _text(start, "start", none_ok=True), days)]
