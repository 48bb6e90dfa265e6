"""What crosses the network between the server and a remote client, as JSON.

The services take and return plain values and frozen dataclasses (DTOs); a
failed rule is a typed error carrying data. :func:`encode` turns such a value
into JSON-ready data and :func:`decode` turns it back into the same value, so
a window gets the very same objects and errors in central mode as on one PC.

Only types in the registry are ever made from the wire: the DTOs and enums of
the services and the domain, and the domain's errors. A name that is not in
the registry is refused (:class:`WireError`); nothing is imported because the
data says so.

Tags: ``{"$t": name, "f": {...}}`` a dataclass or named tuple; ``{"$e": name,
"v": value}`` an enum member; ``{"$x": name, "f": {...}}`` an error;
``{"$dt": iso}`` an aware datetime (``{"$dt": iso, "tz": name}`` in a named zone, which it keeps); ``{"$d": iso}`` a date; ``{"$tm": iso}`` a
time of day; ``{"$td": seconds}`` a duration; ``{"$b": base64}`` bytes;
``{"$tu": [...]}`` a tuple; ``{"$fs": [...]}`` a (frozen)set; ``{"$m": [[k, v],
...]}`` a dict. Plain lists, strings, numbers, booleans and None stay as they are.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import importlib
import math
import pkgutil
import zoneinfo
from functools import cache
from typing import Any

from baliedesk.domain.errors import DomainError

#: Packages whose dataclasses, named tuples, enums and errors may cross the wire.
_PACKAGES = ("baliedesk.domain", "baliedesk.services")
_SKIP_MODULES = {"baliedesk.services.wire", "baliedesk.services.catalogue"}


class WireError(ValueError):
    """Data from the network that is not a value BalieDesk sends (a broken or hostile message)."""


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_named_tuple(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")


@cache
def registry() -> dict[str, type]:
    """Every type that may cross the wire, by its full name (loaded once)."""
    found: dict[str, type] = {}
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        names = [package_name] + [f"{package_name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
        for module_name in names:
            if module_name in _SKIP_MODULES:
                continue
            module = importlib.import_module(module_name)
            for value in vars(module).values():
                if not isinstance(value, type) or value.__module__ != module_name:
                    continue
                if value.__name__.startswith("_"):
                    continue  # the services' private helpers never cross
                if (dataclasses.is_dataclass(value) or _is_named_tuple(value) or issubclass(value, enum.Enum)
                        or issubclass(value, DomainError)):
                    found[_name(value)] = value
    return found


def _lookup(name: Any) -> type:
    if not isinstance(name, str):
        raise WireError("type name is not text")
    cls = registry().get(name)
    if cls is None:
        raise WireError(f"unknown type {name!r}")
    return cls


# ---------------------------------------------------------------------------
# encode
# ---------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (see the module docstring); TypeError for what may not cross."""
    if isinstance(value, enum.Enum):  # before bool/int/str: IntEnum and str enums are enums here
        return {"$e": _registered(type(value)), "v": value.value}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$fl": repr(value)}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetimes do not cross the wire")
        zone = getattr(value.tzinfo, "key", None)  # a ZoneInfo: the location's zone, kept by name
        if isinstance(zone, str) and zone != "UTC":
            return {"$dt": value.isoformat(), "tz": zone}
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$tm": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, BaseException):
        if not isinstance(value, DomainError):
            raise TypeError(f"{type(value).__name__} does not cross the wire")
        return {"$x": _registered(type(value)), "f": _fields(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$t": _registered(type(value)), "f": _fields(value)}
    if _is_named_tuple(type(value)):
        return {"$t": _registered(type(value)), "f": {k: encode(v) for k, v in value._asdict().items()}}
    if isinstance(value, tuple):
        return {"$tu": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"$fs": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"{type(value).__name__} does not cross the wire")


def _registered(cls: type) -> str:
    name = _name(cls)
    if registry().get(name) is not cls:
        raise TypeError(f"{name} is not a wire type")
    return name


def _fields(value: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    return {k: encode(v) for k, v in vars(value).items()}


# ---------------------------------------------------------------------------
# decode
# ---------------------------------------------------------------------------
#: How deep a message may nest; deeper is refused (a hostile message, not a DTO).
MAX_DEPTH = 40


def decode(data: Any, _depth: int = 0) -> Any:
    """The value :func:`encode` made ``data`` from; :class:`WireError` for anything else."""
    if _depth > MAX_DEPTH:
        raise WireError("message nests too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict):
        raise WireError(f"unexpected {type(data).__name__}")
    try:
        return _decode_tagged(data, _depth)
    except WireError:
        raise
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise WireError(f"malformed value: {exc}") from None


def _decode_tagged(data: dict[str, Any], depth: int) -> Any:
    keys = set(data)
    if keys in ({"$dt"}, {"$dt", "tz"}):
        moment = dt.datetime.fromisoformat(data["$dt"])
        if moment.tzinfo is None:
            raise WireError("naive datetime")
        if "tz" in data:
            return moment.astimezone(_zone(data["tz"]))
        return moment.astimezone(dt.UTC) if moment.utcoffset() == dt.timedelta(0) else moment
    if keys == {"$d"}:
        return dt.date.fromisoformat(data["$d"])
    if keys == {"$tm"}:
        return dt.time.fromisoformat(data["$tm"])
    if keys == {"$td"}:
        return dt.timedelta(seconds=float(data["$td"]))
    if keys == {"$fl"}:
        if data["$fl"] not in ("inf", "-inf", "nan"):
            raise WireError("bad float")
        return float(data["$fl"])
    if keys == {"$b"}:
        return base64.b64decode(data["$b"], validate=True)
    if keys == {"$tu"}:
        return tuple(decode(v, depth + 1) for v in _list(data["$tu"]))
    if keys == {"$fs"}:
        return frozenset(decode(v, depth + 1) for v in _list(data["$fs"]))
    if keys == {"$m"}:
        pairs = _list(data["$m"])
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise WireError("bad mapping")
        return {decode(k, depth + 1): decode(v, depth + 1) for k, v in pairs}
    if keys == {"$e", "v"}:
        cls = _lookup(data["$e"])
        if not issubclass(cls, enum.Enum):
            raise WireError("not an enum")
        return cls(data["v"])
    if keys in ({"$t", "f"}, {"$x", "f"}):
        cls = _lookup(data.get("$t", data.get("$x")))
        is_error = "$x" in data
        if is_error != issubclass(cls, BaseException):
            raise WireError("value and error tags mixed up")
        fields = data["f"]
        if not isinstance(fields, dict) or not all(isinstance(k, str) for k in fields):
            raise WireError("bad fields")
        values = {k: decode(v, depth + 1) for k, v in fields.items()}
        if is_error and not dataclasses.is_dataclass(cls):
            error = cls.__new__(cls)
            Exception.__init__(error)
            vars(error).update(values)
            return error
        return cls(**values)
    raise WireError("unknown tag")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone(name: Any) -> zoneinfo.ZoneInfo:
    """A time zone by its IANA name; only names the system knows (never a path)."""
    if not isinstance(name, str) or name not in _zones():
        raise WireError("unknown time zone")
    return zoneinfo.ZoneInfo(name)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise WireError("expected a list")
    return value
