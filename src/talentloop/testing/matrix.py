"""The row type of the persona access matrix, shared by tests/test_access_matrix.py and the
per-area row modules in tests/matrix/ (each defines WEB and API lists and may define
``keys(world) -> dict`` for the objects its URLs refer to)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    route: str  # the resolver's route (web) or the OpenAPI path (API)
    method: str
    url: str  # formatted with the keys of ``_keys(world)``
    expected: tuple[int, ...]  # one status per persona, in PERSONAS order
    body: dict | None = None
    label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.route} {self.label}".strip()


def load_extra_rows(folder: Path) -> tuple[list[Row], list[Row], list]:
    """WEB rows, API rows and key functions of every module in ``folder``."""
    web: list[Row] = []
    api: list[Row] = []
    keyfuncs = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"access_matrix_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        web.extend(getattr(module, "WEB", []))
        api.extend(getattr(module, "API", []))
        if hasattr(module, "keys"):
            keyfuncs.append(module.keys)
    return web, api, keyfuncs
