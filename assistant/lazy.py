"""Lazy package exports (PEP 562): a package names its public API in ``__init__`` but loads
the submodule that defines a name only when the name is first used.

``assistant.core`` and ``assistant.files`` use it so that importing one light submodule
(``assistant.core.state``, ``assistant.files.drafts``) does not load the whole package, and
so that the package's own modules can import each other without a partial-import cycle::

    __getattr__, __dir__ = lazy_exports(__name__, {"CallSession": "session", ...})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``where`` maps each exported name to
    the submodule (relative to ``package``) that defines it. A loaded name is cached in the
    package, so the lookup runs once per name."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
