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

import enum
import os
import threading

from . import _capi
from ._errors import *  # noqa: F401,F403  (generated from bindings/errors.tsv)
from ._errors import __all__ as _errors_all
from ._errors import InvalidInput

__version__ = _capi.version()

__all__ = [
    "Context", "DnsblResult", "DnsblStatus", "RdnsResult", "ReplyInfo",
    "dnsbl_check", "rdns_check", "dns_lookup", "default_zones", "classify", "logscan",
    "rdns_name_is_generic", "strerror", "version", "version_num",
] + list(_errors_all)


def version():
    """Version of the linked libmtarep, e.g. ``"0.1.0"``."""
    return _capi.version()


def version_num():
    """Version as ``0xMMmmpp`` (compare with ``>=``)."""
    return _capi.version_num()


def strerror(code):
    """Short description of a C status code."""
    return _capi.strerror(code)


def default_zones():
    """Zones checked when ``zones`` is None."""
    return list(_capi.default_zones())


def rdns_name_is_generic(name, ip):
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


class DnsblStatus(str, enum.Enum):
    """Outcome of one (query, zone) pair; compares equal to its string."""

    LISTED = "listed"
    NOT_LISTED = "not_listed"
    ERROR = "error"                      # no verdict: timeout, SERVFAIL, refusal, bad answer
    NOT_APPLICABLE = "not_applicable"    # the zone does not list this kind of query

    def __str__(self):
        return self.value


class _Result:
    __slots__ = ()
    _LISTS = ()

    def __init__(self, d):
        for k in self.__slots__:
            v = d[k]
            setattr(self, k, tuple(v) if k in self._LISTS else v)

    def to_dict(self):
        """Plain dict (lists, str, bool, None): JSON-ready, same keys as PHP."""
        out = {}
        for k in self.__slots__:
            v = getattr(self, k)
            if k in self._LISTS:
                v = list(v)
            elif isinstance(v, enum.Enum):
                v = v.value
            out[k] = v
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}({self.to_dict()!r})"


class DnsblResult(_Result):
    """One (query, zone) blocklist result.

    Attributes: ``query`` (normalised), ``zone``, ``list_name``, ``status``
    (:class:`DnsblStatus`), ``codes`` (A answers, e.g. ``("127.0.0.2",)``),
    ``meanings`` (decoded labels such as ``"SBL"``), ``description``,
    ``txt`` (the list's TXT reason), ``error`` (why there is no verdict) and
    ``error_code`` (the C code behind status ``error``, else 0).
    """

    __slots__ = ("query", "zone", "list_name", "status", "codes", "meanings",
                 "description", "txt", "error", "error_code")
    _LISTS = ("codes", "meanings")

    def __init__(self, d):
        super().__init__(d)
        self.status = DnsblStatus(self.status)

    @property
    def listed(self):
        return self.status is DnsblStatus.LISTED


class RdnsResult(_Result):
    """Reverse-DNS verdicts for one IP.

    ``fcrdns``, ``helo_match``, ``helo_resolves`` and ``has_ptr`` are True,
    False or None (unknown: DNS failed, or no HELO was given). ``ptr`` and
    ``warnings`` are tuples of str; ``confirmed_name`` the first
    forward-confirmed PTR name or None; ``generic`` whether a PTR name looks
    dynamic; ``error`` why a verdict is unknown.
    """

    __slots__ = ("ip", "ptr", "has_ptr", "fcrdns", "confirmed_name", "helo_match",
                 "helo_resolves", "generic", "warnings", "error")
    _LISTS = ("ptr", "warnings")


class Context:
    """DNS set-up, timeouts and caches for a series of checks.

    ``nameservers``: "ADDR[:PORT]" strings (default: /etc/resolv.conf);
    ``zone_files`` / ``zone_text``: answer every query from these RFC 1035
    zones instead of the network. Each takes one str or an iterable.
    ``timeout_ms`` is per try, ``retries`` extra tries after the first.
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, nameservers=None, zone_files=None, zone_text=None,
                 timeout_ms=2000, retries=1):
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

    def close(self):
        """Free the C context now (also done when the object is collected)."""
        with self._lock:
            self._c = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def add_nameserver(self, addr):
        with self._lock:
            self._ctx().add_nameserver(_text(addr, "addr"))

    def load_resolv_conf(self, path=None):
        """Use the nameservers of a resolv.conf file (None: /etc/resolv.conf)."""
        p = None if path is None else _text(os.fspath(path), "path")
        with self._lock:
            self._ctx().load_resolv_conf(p)

    def add_zone_file(self, path):
        with self._lock:
            self._ctx().add_zone_file(_text(os.fspath(path), "path"))

    def add_zone_text(self, text):
        with self._lock:
            self._ctx().add_zone_text(_text(text, "text"))

    def load_dnsbl_zone_defs(self, text):
        """Add or override blocklist definitions (docs/dnsbl-zones.md format)."""
        with self._lock:
            self._ctx().load_dnsbl_zone_defs(_text(text, "text"))

    def set_timeout_ms(self, timeout_ms):
        with self._lock:
            self._ctx().set_timeout_ms(_uint(timeout_ms, "timeout_ms"))

    def set_retries(self, retries):
        with self._lock:
            self._ctx().set_retries(_uint(retries, "retries"))

    def clear_cache(self):
        with self._lock:
            self._ctx().clear_cache()

    def dnsbl_check(self, queries, zones=None, fetch_txt=True, health_check=True):
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

    def rdns_check(self, ip, helo=None):
        """PTR, forward confirmation and HELO comparison for ``ip``."""
        ip = _text(ip, "ip")
        helo = _text(helo, "helo", none_ok=True)
        with self._lock:
            return RdnsResult(self._ctx().rdns_check(ip, helo))

    def spf_check(self, ip, sender, helo=None):
        """RFC 7208 check_host() for a client: a dict with ``result`` (pass,
        fail, softfail, neutral, none, permerror, temperror), ``explanation``,
        ``reason``, ``lookups``, ``void_lookups``, ``warnings`` and ``tree``.
        ``sender`` "" checks the HELO identity. A DNS timeout gives
        ``temperror``, never ``pass``."""
        ip = _text(ip, "ip")
        sender = _text(sender, "sender", none_ok=True)
        helo = _text(helo, "helo", none_ok=True)
        with self._lock:
            return self._ctx().spf_check(ip, sender, helo)

    def spf_inspect(self, domain):
        """Validate ``domain``'s SPF tree (every include/redirect): the same
        dict shape as :meth:`spf_check` plus ``valid``."""
        domain = _text(domain, "domain")
        with self._lock:
            return self._ctx().spf_inspect(domain)

    def spf_validate(self, record):
        """Validate SPF record text without DNS (dict as :meth:`spf_inspect`)."""
        record = _text(record, "record")
        with self._lock:
            return self._ctx().spf_validate(record)

    def dkim_validate(self, record):
        """Validate DKIM key record text without DNS: a dict with ``verdict``
        (valid, warning, invalid), ``problems`` ([{severity, message,
        offset}]), ``key_type``, ``key_bits``, ``testing``, ``revoked``,
        ``record``, ``name`` and ``selector``."""
        record = _text(record, "record")
        with self._lock:
            return self._ctx().dkim_validate(record)

    def dkim_fetch(self, domain, selector):
        """Fetch and validate ``selector._domainkey.domain`` (dict as
        :meth:`dkim_validate`; ``verdict`` may also be ``none`` or, when DNS
        failed, ``unknown``)."""
        domain = _text(domain, "domain")
        selector = _text(selector, "selector")
        with self._lock:
            return self._ctx().dkim_fetch(domain, selector)

    def dkim_discover(self, domain, selectors=None):
        """Try ``selectors`` (default: the built-in common ones) side by side:
        a dict with ``found``, ``undecided`` and ``selectors`` (one
        :meth:`dkim_fetch` dict per selector tried)."""
        domain = _text(domain, "domain")
        sel = None if selectors is None else _texts(selectors, "selectors")
        with self._lock:
            return self._ctx().dkim_discover(domain, sel)

    def dmarc_validate(self, record):
        """Validate DMARC record text without DNS: a dict with ``verdict``,
        ``problems``, ``policy``, ``record``, ``tags`` and (fetch only)
        ``policy_domain``, ``rule`` and ``org_domain``."""
        record = _text(record, "record")
        with self._lock:
            return self._ctx().dmarc_validate(record)

    def dmarc_fetch(self, domain):
        """Find (exact name, RFC 9989 tree walk) and validate the DMARC
        policy for ``domain`` (dict as :meth:`dmarc_validate`)."""
        domain = _text(domain, "domain")
        with self._lock:
            return self._ctx().dmarc_fetch(domain)

    def dns_lookup(self, name, type="A"):
        """Records of ``type`` for ``name`` as presentation-format RDATA
        ([] for NXDOMAIN or no data). Raises Timeout/TempFail/ParseError
        when there is no answer to give."""
        name = _text(name, "name")
        type = _text(type, "type")
        with self._lock:
            return list(self._ctx().dns_lookup(name, type))


def dnsbl_check(queries, zones=None, fetch_txt=True, health_check=True, **ctx_kwargs):
    """One-shot :meth:`Context.dnsbl_check` on a new context (``ctx_kwargs``
    as for :class:`Context`)."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.dnsbl_check(queries, zones, fetch_txt=fetch_txt, health_check=health_check)


def rdns_check(ip, helo=None, **ctx_kwargs):
    """One-shot :meth:`Context.rdns_check` on a new context."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.rdns_check(ip, helo)


def dns_lookup(name, type="A", **ctx_kwargs):
    """One-shot :meth:`Context.dns_lookup` on a new context."""
    with Context(**ctx_kwargs) as ctx:
        return ctx.dns_lookup(name, type)



class ReplyInfo(_Result):
    """What an SMTP reply says about the sender (no network involved).

    ``category`` is one of reputation, blocklist, authentication, rdns,
    rate-limit, content, policy, mailbox, other; ``receiver`` (e.g.
    "Microsoft", "Gmail"), ``blocklist`` (a list named in the text),
    ``advice`` (which libmtarep check helps), ``code`` (int) and
    ``enhanced_code`` ("5.7.1") are None when absent; ``rule`` names the
    table row that matched.
    """

    __slots__ = ("category", "receiver", "blocklist", "advice", "code",
                 "enhanced_code", "rule")


def classify(text):
    """Classify one SMTP reply text (with or without its codes).
    Raises InvalidInput for empty text, LimitExceeded past 4096 bytes."""
    return ReplyInfo(_capi.classify(_text(text, "text")))


def logscan(paths, format="auto", since=None, exclude_relays=None):
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
    return _capi.logscan(*args)


# --- Rate limiting and warm-up plans (bindings/throttle.i) -----------------

import contextlib as _contextlib
import datetime as _datetime
import functools as _functools

from ._errors import LimitExceeded as _LimitExceeded
from ._errors import Throttled as _Throttled

__all__ += ["Throttle", "ThrottleDecision", "warmup_plan"]


class ThrottleDecision(_Result):
    """Outcome of a throttle call; true when admitted.

    ``admitted`` (bool); ``retry_after_ms`` (0 when admitted, -1 when the
    request can never pass, else the wait after which it passes if nothing
    else is sent); ``remaining`` (units that could pass at once, smallest
    over the limits); ``degraded`` ("none", or how a store failure was
    handled: "open", "local", "closed"); ``message`` (why degraded);
    ``status`` ("ok", "throttled": acquire's deadline is too short,
    "never"); ``limits``: a tuple of dicts {limit, remaining,
    reset_after_ms, blocking}.
    """

    __slots__ = ("admitted", "retry_after_ms", "remaining", "degraded", "message",
                 "status", "limits")
    _LISTS = ("limits",)

    def __bool__(self):
        return bool(self.admitted)


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

    def __init__(self, store, limits, on_failure="closed", fallback=None, timeout_ms=500,
                 deadline_ms=60000):
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
    def store(self):
        """The store URI without any password."""
        return self._handle().store()

    def _handle(self):
        if self._t is None:
            raise InvalidInput("the throttle is closed", InvalidInput.code)
        return self._t

    def try_acquire(self, key, quantity=1):
        """Count ``quantity`` units for ``key`` now if every limit allows.
        Never waits; returns a :class:`ThrottleDecision`."""
        return ThrottleDecision(self._handle().try_acquire(_text(key, "key"), _quantity(quantity)))

    def acquire(self, key, quantity=1, deadline_ms=None):
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

    def status(self, key):
        """State of ``key`` without counting; ``admitted``: one unit would pass."""
        return ThrottleDecision(self._handle().status(_text(key, "key")))

    def reset(self, key):
        """Forget ``key``'s state for these limits."""
        self._handle().reset(_text(key, "key"))

    @_contextlib.contextmanager
    def slot(self, key, quantity=1, deadline_ms=None):
        """``with t.slot(key, n): send()``: acquire() first; the units stay
        counted whatever the block does (a send attempt is a send)."""
        yield self.acquire(key, quantity, deadline_ms)

    def limit(self, key, quantity=1, deadline_ms=None):
        """Decorator: each call acquires first. ``key`` and ``quantity`` may
        be callables taking the call's arguments."""
        def deco(fn):
            @_functools.wraps(fn)
            def wrapper(*args, **kwargs):
                k = key(*args, **kwargs) if callable(key) else key
                q = quantity(*args, **kwargs) if callable(quantity) else quantity
                self.acquire(k, q, deadline_ms)
                return fn(*args, **kwargs)
            return wrapper
        return deco

    def close(self):
        """Drop the store connection (calls running in other threads finish first)."""
        self._t = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Throttle(store={self.store if self._t else None!r}, limits={list(self.limits)!r})"


def warmup_plan(preset=None, start=None, days=None, schedule=None):
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
    return _capi.warmup_plan(_text(preset, "preset", none_ok=True),
                             _text(schedule, "schedule", none_ok=True),
                             _text(start, "start", none_ok=True), days)
