"""Result objects and verdict enums of the mtarep package.

The C layer (SWIG) hands back plain dicts whose keys are defined once in
bindings/*.i, shared with PHP's arrays. Each result class here names those
keys as attributes, converts verdict strings to enums and nested dicts to
result objects, and gives the plain form back with ``to_dict()``.

Adding a module (provider, precheck, ...) takes one class per result shape:

    class PrecheckReport(Result):
        __slots__ = ("verdict", "checks")
        _TYPES = {"verdict": Verdict, "checks": PrecheckItem}

Keys the C layer adds later and a class does not name yet are kept (reachable
as attributes and in ``to_dict()``), so an older package never drops data.
"""

import enum
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple, Type


class StrEnum(str, enum.Enum):
    """An enum whose members compare equal to their string value
    (``r.status == "listed"``), as in ``to_dict()`` and PHP's arrays."""

    def __str__(self) -> str:
        return str(self.value)


class DnsblStatus(StrEnum):
    """Outcome of one (query, zone) pair."""

    LISTED = "listed"
    NOT_LISTED = "not_listed"
    ERROR = "error"                      # no verdict: timeout, SERVFAIL, refusal, bad answer
    NOT_APPLICABLE = "not_applicable"    # the zone does not list this kind of query


class SpfVerdict(StrEnum):
    """RFC 7208 result. TEMPERROR (DNS failed) is never PASS."""

    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


class Verdict(StrEnum):
    """Verdict on a DKIM key or DMARC policy record (one scale for both)."""

    VALID = "valid"
    WARNING = "warning"
    INVALID = "invalid"
    NONE = "none"          # no record published
    UNKNOWN = "unknown"    # DNS failed: no verdict


class Severity(StrEnum):
    """Weight of one problem found in a record."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    UNKNOWN = "unknown"


class CheckStatus(StrEnum):
    """Status of one precheck check, and the overall verdict. UNKNOWN (DNS
    failed, server unreachable) is never OK."""

    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"
    UNKNOWN = "unknown"


class Reputation(StrEnum):
    """A provider's reputation level; None in a result means no level."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    BAD = "bad"


class ReplyCategory(StrEnum):
    """Cause of an SMTP rejection reply (``mtarep.classify``)."""

    REPUTATION = "reputation"
    BLOCKLIST = "blocklist"
    AUTHENTICATION = "authentication"
    RDNS = "rdns"
    RATE_LIMIT = "rate-limit"
    CONTENT = "content"
    POLICY = "policy"
    MAILBOX = "mailbox"
    OTHER = "other"


class ThrottleStatus(StrEnum):
    """Why a throttle call did or did not admit."""

    OK = "ok"
    THROTTLED = "throttled"   # acquire(): the wait needed exceeds the deadline
    NEVER = "never"           # more than any limit's burst: can never pass


class Degraded(StrEnum):
    """How a store failure was handled (Redis ``on_failure``)."""

    NONE = "none"
    OPEN = "open"
    LOCAL = "local"
    CLOSED = "closed"


def _convert(conv: Any, v: Any) -> Any:
    if v is None:
        return None
    if isinstance(conv, type) and issubclass(conv, enum.Enum):
        try:
            return conv(v)
        except ValueError:        # a value newer than this package: keep the str
            return v
    if isinstance(v, list):
        return tuple(_convert(conv, x) for x in v)
    if conv is dict:              # mapping of name -> result object
        return v
    return conv(v)


def _plain(v: Any) -> Any:
    if isinstance(v, Result):
        return v.to_dict()
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


class Result:
    """Base of every result object.

    Attributes are the result's keys; ``to_dict()`` gives the JSON-ready
    plain form (the same keys as PHP's arrays); ``r["key"]`` also works, for
    code written against the earlier dict results. Lists are tuples.
    """

    __slots__ = ("_extra",)
    _LISTS: Tuple[str, ...] = ()                 # list fields (tuple of str, int, dict)
    _TYPES: Mapping[str, Any] = {}               # field -> enum / Result class (per item)
    _MAPS: Mapping[str, Type["Result"]] = {}     # field -> dict of name -> Result class

    def __init__(self, d: Mapping[str, Any]) -> None:
        fields = self._fields()
        for k in fields:
            v = d.get(k)
            if k in self._TYPES:
                v = _convert(self._TYPES[k], v)
            elif k in self._MAPS and v is not None:
                v = {name: self._MAPS[k](x) for name, x in v.items()}
            elif k in self._LISTS and v is not None:
                v = tuple(v)
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_extra", {k: v for k, v in d.items() if k not in fields})

    @classmethod
    def _fields(cls) -> Tuple[str, ...]:
        out: Tuple[str, ...] = ()
        for c in reversed(cls.__mro__):
            out += tuple(s for s in c.__dict__.get("__slots__", ()) if s != "_extra")
        return out

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "_extra")
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __getitem__(self, key: str) -> Any:
        if key in self._fields() or key in self._extra:
            return getattr(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self._fields() or key in self._extra

    def __iter__(self) -> Iterator[str]:
        """Iterates over the keys, like the dict it replaces."""
        return iter(self.keys())

    def keys(self) -> Tuple[str, ...]:
        return self._fields() + tuple(self._extra)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def to_dict(self) -> Dict[str, Any]:
        """Plain dict (lists, str, int, bool, None): JSON-ready, same keys as PHP."""
        out = {k: _plain(getattr(self, k)) for k in self._fields()}
        out.update({k: _plain(v) for k, v in self._extra.items()})
        return out

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Result):
            return type(other) is type(self) and self.to_dict() == other.to_dict()
        if isinstance(other, dict):
            return self.to_dict() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"


class DnsblResult(Result):
    """One (query, zone) blocklist result.

    ``query`` (normalised), ``zone``, ``list_name``, ``status``
    (:class:`DnsblStatus`), ``codes`` (A answers, e.g. ``("127.0.0.2",)``),
    ``meanings`` (decoded labels such as ``"SBL"``), ``description``,
    ``txt`` (the list's TXT reason), ``error`` (why there is no verdict) and
    ``error_code`` (the C code behind status ``error``, else 0).
    """

    __slots__ = ("query", "zone", "list_name", "status", "codes", "meanings",
                 "description", "txt", "error", "error_code")
    _LISTS = ("codes", "meanings")
    _TYPES = {"status": DnsblStatus}

    @property
    def listed(self) -> bool:
        """True only for a listing (an error is not "not listed" either)."""
        return self.status is DnsblStatus.LISTED


class RdnsResult(Result):
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


class SpfNode(Result):
    """One record of an SPF include/redirect tree: ``domain``, ``via``
    ("root", "include", "redirect"), ``parent`` (index in the tree or None),
    ``record``, ``lookups`` (its own DNS-querying terms), ``lookups_total``
    (with its subtree), ``void_lookups``, ``error``."""

    __slots__ = ("domain", "via", "parent", "record", "lookups", "lookups_total",
                 "void_lookups", "error")


class SpfResult(Result):
    """SPF evaluation or validation.

    ``result`` (:class:`SpfVerdict`), ``valid`` (the record tree is valid:
    inspect/validate), ``explanation``, ``reason``, ``lookups`` and
    ``void_lookups`` (of the 10 / 2 RFC limits), ``error_offset`` (byte of a
    syntax error in the record), ``warnings`` and ``tree`` (:class:`SpfNode`).
    """

    __slots__ = ("result", "valid", "explanation", "reason", "lookups", "void_lookups",
                 "error_offset", "warnings", "tree")
    _LISTS = ("warnings",)
    _TYPES = {"result": SpfVerdict, "tree": SpfNode}

    def __bool__(self) -> bool:
        """True for ``pass`` only."""
        return self.result is SpfVerdict.PASS


class Problem(Result):
    """One problem in a DKIM or DMARC record: ``severity``
    (:class:`Severity`), ``message``, ``offset`` (byte in the record, or None)."""

    __slots__ = ("severity", "message", "offset")
    _TYPES = {"severity": Severity}


class DkimKey(Result):
    """A DKIM key record and its verdict.

    ``verdict`` (:class:`Verdict`), ``problems`` (:class:`Problem`),
    ``key_type`` ("rsa", "ed25519"), ``key_bits``, ``testing`` (t=y),
    ``revoked`` (empty p=), ``record``, ``name`` and ``selector``.
    """

    __slots__ = ("verdict", "key_type", "key_bits", "testing", "revoked", "record", "name",
                 "selector", "problems")
    _TYPES = {"verdict": Verdict, "problems": Problem}


class DkimDiscovery(Result):
    """Selector discovery: ``found`` (selectors with a key), ``undecided``
    (DNS failed) and ``selectors`` (one :class:`DkimKey` per selector tried)."""

    __slots__ = ("found", "undecided", "selectors")
    _TYPES = {"selectors": DkimKey}


class DmarcPolicy(Result):
    """A DMARC policy record and its verdict.

    ``verdict`` (:class:`Verdict`), ``policy`` (none, quarantine, reject),
    ``record``, ``tags`` (dict), ``problems`` (:class:`Problem`) and, when
    fetched, ``policy_domain``, ``rule`` ("exact", "tree-walk") and
    ``org_domain``.
    """

    __slots__ = ("verdict", "policy", "record", "policy_domain", "rule", "org_domain", "tags",
                 "problems")
    _TYPES = {"verdict": Verdict, "problems": Problem}


class ReplyInfo(Result):
    """What an SMTP reply says about the sender (no network involved).

    ``category`` (:class:`ReplyCategory`); ``receiver`` (e.g. "Microsoft",
    "Gmail"), ``blocklist`` (a list named in the text), ``advice`` (which
    libmtarep check helps), ``code`` (int) and ``enhanced_code`` ("5.7.1")
    are None when absent; ``rule`` names the table row that matched.
    """

    __slots__ = ("category", "receiver", "blocklist", "advice", "code", "enhanced_code",
                 "rule")
    _TYPES = {"category": ReplyCategory}


class LogCounts(Result):
    """Counts of one log scope (all, a domain, a relay): delivery-attempt
    lines ``sent``, ``deferred``, ``bounced``, ``expired``; distinct
    ``deferred_recipients`` / ``expired_recipients``; ``bounced_by_cause``
    and ``deferred_by_cause`` (dicts keyed by :class:`ReplyCategory` value)."""

    __slots__ = ("sent", "deferred", "bounced", "expired", "deferred_recipients",
                 "expired_recipients", "bounced_by_cause", "deferred_by_cause")

    @property
    def bounce_rate(self) -> Optional[float]:
        """bounced / (sent + bounced + expired) in percent, None with no mail."""
        n = (self.sent or 0) + (self.bounced or 0) + (self.expired or 0)
        return None if n == 0 else 100.0 * (self.bounced or 0) / n


class LogscanReport(Result):
    """A log scan: ``format`` ("postfix", "exim"), ``totals``
    (:class:`LogCounts`), ``domains`` and ``relays`` (dicts of name ->
    :class:`LogCounts`)."""

    __slots__ = ("format", "totals", "domains", "relays")
    _TYPES = {"totals": LogCounts}
    _MAPS = {"domains": LogCounts, "relays": LogCounts}


class ThrottleLimit(Result):
    """One limit's state in a decision: ``limit`` ("100/1h"), ``remaining``,
    ``reset_after_ms`` (until the key's state is empty), ``blocking``."""

    __slots__ = ("limit", "remaining", "reset_after_ms", "blocking")


class ThrottleDecision(Result):
    """Outcome of a throttle call; true when admitted.

    ``admitted`` (bool); ``retry_after_ms`` (0 when admitted, -1 when the
    request can never pass, else the wait after which it passes if nothing
    else is sent); ``remaining`` (units that could pass at once, smallest
    over the limits); ``degraded`` (:class:`Degraded`); ``message`` (why
    degraded); ``status`` (:class:`ThrottleStatus`); ``limits``
    (:class:`ThrottleLimit`).
    """

    __slots__ = ("admitted", "retry_after_ms", "remaining", "degraded", "message", "status",
                 "limits")
    _TYPES = {"degraded": Degraded, "status": ThrottleStatus, "limits": ThrottleLimit}

    def __bool__(self) -> bool:
        return bool(self.admitted)


class WarmupDay(Result):
    """One day of a warm-up plan: ``day`` (1-based), ``date`` ("YYYY-MM-DD"
    or None), ``daily`` and ``hourly`` caps."""

    __slots__ = ("day", "date", "daily", "hourly")


class PrecheckCheck(Result):
    """One check of :func:`mtarep.precheck`: ``name`` (rdns, dnsbl, spf,
    ...), ``subject`` (the IP, domain, MX or log it is about), ``status``
    (:class:`CheckStatus`), ``evidence`` (tuple of str) and ``advice``
    (None when there is nothing to do)."""

    __slots__ = ("name", "subject", "status", "evidence", "advice")
    _LISTS = ("evidence",)
    _TYPES = {"status": CheckStatus}


class PrecheckReport(Result):
    """Report of :func:`mtarep.precheck`: ``verdict`` (:class:`CheckStatus`)
    and ``checks`` (tuple of :class:`PrecheckCheck`), the most likely cause
    of a rejection first."""

    __slots__ = ("verdict", "checks")
    _TYPES = {"verdict": CheckStatus, "checks": PrecheckCheck}

    @property
    def problems(self) -> Tuple["PrecheckCheck", ...]:
        """The checks whose status is PROBLEM, in report order."""
        return tuple(c for c in self.checks if c.status is CheckStatus.PROBLEM)


class ProviderPeriod(Result):
    """One period of a provider's answer (a day, a resolution step, an SNDS
    IP row): ``subject``, ``start``, ``end``, ``volume``, ``bounce_rate``,
    ``complaint_rate`` (fractions 0..1, None when the source has no data),
    ``complaint_rate_upper_bound``, ``reputation`` (:class:`Reputation` or
    None), ``counts`` (Mailgun counters or None) and ``raw`` (the
    provider's own fields)."""

    __slots__ = ("subject", "start", "end", "volume", "bounce_rate", "complaint_rate",
                 "complaint_rate_upper_bound", "reputation", "counts", "raw")
    _TYPES = {"reputation": Reputation}


class ProviderResult(ProviderPeriod):
    """Normalized answer of Mailgun, SNDS or Postmaster (docs/providers.md):
    the overall figures of :class:`ProviderPeriod` plus ``source``,
    ``periods`` (tuple of :class:`ProviderPeriod`) and ``blocked`` (SNDS
    blocked ranges, tuple of dicts ``first``, ``last``, ``reason``)."""

    __slots__ = ("source", "periods", "blocked")
    _LISTS = ("blocked",)
    _TYPES = {"reputation": Reputation, "periods": ProviderPeriod}


__all__ = [
    "Result", "StrEnum", "DnsblStatus", "SpfVerdict", "Verdict", "Severity", "ReplyCategory",
    "ThrottleStatus", "Degraded", "DnsblResult", "RdnsResult", "SpfNode", "SpfResult",
    "Problem", "DkimKey", "DkimDiscovery", "DmarcPolicy", "ReplyInfo", "LogCounts",
    "LogscanReport", "ThrottleLimit", "ThrottleDecision", "WarmupDay",
    "CheckStatus", "PrecheckCheck", "PrecheckReport",
    "Reputation", "ProviderPeriod", "ProviderResult",
]
