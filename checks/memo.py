"""Parse once: memoise per-sample analyses on the identity of the (immutable) Sample.

Several checks need the same parsed pieces of a sample (hops, recorded auth,
verdict headers). A Sample is frozen, so a result computed once stays right for
as long as that Sample object lives. The cache is keyed on ``id()`` (hashing a
whole Sample would cost more than the parse) and an entry leaves when its Sample
is garbage-collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from mailtriage.checks.model import Sample

R = TypeVar("R")


def per_sample(fn: Callable[[Sample], R]) -> Callable[[Sample], R]:
    """Decorate a pure function of one Sample so it runs once per Sample object."""
    cache: dict[int, tuple[weakref.ref[Sample], R]] = {}

    def evict(key: int) -> Callable[[weakref.ref[Sample]], None]:
        def drop(_ref: weakref.ref[Sample]) -> None:
            cache.pop(key, None)

        return drop

    @wraps(fn)
    def wrapper(sample: Sample) -> R:
        key = id(sample)
        hit = cache.get(key)
        if hit is not None and hit[0]() is sample:
            return hit[1]
        result = fn(sample)
        cache[key] = (weakref.ref(sample, evict(key)), result)
        return result

    return wrapper
