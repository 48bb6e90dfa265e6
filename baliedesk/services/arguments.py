"""Every public service function checks the type and range of its arguments first.

:func:`checked` reads the function's annotations once and applies the rules of
:mod:`baliedesk.domain.validation` per parameter: ``int`` (not bool, fits a
BIGINT), ``str`` (storable: no NUL, no lone surrogate, no direction override),
``bool``, ``float`` (finite), ``dt.date`` and ``dt.datetime`` (aware; within
1970..2199), ``X | None``, and iterables of those (made into a tuple, so a
generator is read once). Parameters typed ``object``/``Any`` or with a
protocol or DTO type are left to the function's own rules. A wrong argument
raises :class:`~baliedesk.domain.errors.ValidationError` naming the field;
nothing reaches the database.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import enum
import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from baliedesk.domain.errors import ValidationError
from baliedesk.domain.validation import (
    LIST_ARGUMENT_MAX,
    check_bool,
    check_day,
    check_int,
    check_moment,
    check_number,
    check_text_argument,
)

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[object, str], object]

_ITERABLES = (cabc.Iterable, cabc.Sequence, cabc.Collection, list, tuple, set, frozenset)


def _for(hint: Any) -> tuple[Check | None, bool]:
    """(the check for a non-None value or None when unchecked, whether None is allowed)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) != len(typing.get_args(hint))
        iterables = [a for a in args if typing.get_origin(a) in _ITERABLES]
        if str in args and iterables:  # "one per line" text or a list of lines
            many, _opt = _for(iterables[0])
            return (_text_or(many) if many is not None else None), optional
        if str in args or any(isinstance(a, type) and issubclass(a, enum.Enum) and issubclass(a, str) for a in args):
            return _text, optional
        if len(args) == 1:
            check, _opt = _for(args[0])
            return check, optional
        return None, optional
    if origin in _ITERABLES:
        args = typing.get_args(hint)
        inner, _opt = _for(args[0]) if len(args) == 1 else (None, False)
        if inner is None:
            return None, False
        return _sequence(inner), False
    if hint is bool:
        return check_bool, False
    if hint is int:
        return check_int, False
    if hint is float:
        return check_number, False
    if hint is str:
        return _text, False
    if hint is dt.datetime:
        return check_moment, False
    if hint is dt.date:
        return check_day, False
    return None, False


def _text(value: object, field: str) -> object:
    if isinstance(value, enum.Enum):
        return value
    return check_text_argument(value, field)


def _text_or(many: Check) -> Check:
    def check(value: object, field: str) -> object:
        return _text(value, field) if isinstance(value, str) else many(value, field)
    return check


def _sequence(inner: Check) -> Check:
    def check(value: object, field: str) -> tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, cabc.Iterable):
            raise ValidationError(field, "invalid")
        items = []
        for item in value:
            if len(items) >= LIST_ARGUMENT_MAX:
                raise ValidationError(field, "too_many", LIST_ARGUMENT_MAX)
            items.append(inner(item, field))
        return tuple(items)
    return check


def checked(func: F | None = None, *, fields: dict[str, str] | None = None) -> Any:
    """Check every argument of the service function ``func`` by its annotation (see the module).

    ``@checked`` or ``@checked(fields={"main": "category_main"})``: ``fields`` names the field
    a ValidationError reports for a parameter (default: the parameter's name).
    """
    if func is None:
        return lambda f: checked(f, fields=fields)
    names = fields or {}
    signature = inspect.signature(func)
    plan: list[tuple[str, Check, bool]] | None = None

    def make_plan() -> list[tuple[str, Check, bool]]:
        hints = typing.get_type_hints(func)
        out = []
        for name, param in signature.parameters.items():
            if name == "backend" or name not in hints:
                continue
            check, optional = _for(hints[name])
            if check is not None:
                out.append((name, check, optional or param.default is None))
        return out

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal plan
        if plan is None:
            plan = make_plan()
        bound = signature.bind(*args, **kwargs)  # a wrong number of arguments is a programming error
        values = bound.arguments
        for name, check, optional in plan:
            if name not in values:
                continue
            value = values[name]
            if value is None and optional:
                continue
            values[name] = check(value, names.get(name, name))
        return func(*bound.args, **bound.kwargs)

    wrapper.__wrapped_checked__ = True  # type: ignore[attr-defined]
    return wrapper
