"""A speed trick for the sandbox (sandbox.py): Jinja's decision whether a template may read an
attribute, kept by the object's class and the attribute's name, beside Jinja's own decision
(`plain_is_safe_attribute`), which a test holds it to (tests/test_sandbox_decisions.py).

The theme reads about 1,500 attributes a build ({{ article.title }}, {{ issue.subject }}...), and
Jinja decides each anew: is_internal_attribute's type tests, then modifies_known_mutable's
isinstance against four abstract classes, the slowest part. The answer is the same for every
object of a class, so it is kept.

Why (class, name) decides it, in Jinja 3.1 (jinja2/sandbox.py: SandboxedEnvironment and
ImmutableSandboxedEnvironment.is_safe_attribute, is_internal_attribute, modifies_known_mutable):
the decision reads neither the attribute's value nor the environment, only the name and
isinstance tests of the object. An isinstance test reads the object's type and its __class__;
a decision is kept only when the two are the same class, and only for classes made by `type`
itself (no metaclass that could answer isinstance its own way, or hash classes its own way).
Of the abstract classes, only a register() call changes what isinstance answers for a class
already made; abc.get_cache_token() changes with every such call (it is what abc's own caches
are keyed on), and the kept decisions are dropped when it does. What a template can do cannot
change a class: the sandbox lets it set no attribute and call nothing that starts with `_`.
"""

from __future__ import annotations

from abc import get_cache_token
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

_KEPT_AT_MOST = 4096  # decisions (classes times names): a template asking for ever new names starts over
_kept: dict[tuple[type, str], bool] = {}
_token: list[object] = [get_cache_token()]

plain_is_safe_attribute = ImmutableSandboxedEnvironment.is_safe_attribute


def is_safe_attribute(environment: ImmutableSandboxedEnvironment, obj: Any, attr: str, value: Any) -> bool:
    """What `plain_is_safe_attribute` decides, kept by the object's class and `attr`."""
    cls = type(obj)
    if type(cls) is not type or obj.__class__ is not cls or type(attr) is not str:
        return plain_is_safe_attribute(environment, obj, attr, value)
    token = get_cache_token()
    if token != _token[0] or len(_kept) >= _KEPT_AT_MOST:
        _kept.clear()
        _token[0] = token
    key = (cls, attr)
    found = _kept.get(key)
    if found is None:
        found = _kept[key] = plain_is_safe_attribute(environment, obj, attr, value)
    return found
