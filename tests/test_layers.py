"""The layers hold: only bot/ knows Telegram, so another platform can plug in beside it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_FREE = ("conversations", "storage", "admin")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", PLATFORM_FREE)
def test_no_platform_library_outside_bot(package: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / package).rglob("*.py")
        if {"aiogram", "bot"} & _imports(path)
    ]
    assert offenders == [], f"{package}/ must not import aiogram or bot/: {offenders}"


def test_importing_the_platform_free_layers_loads_no_aiogram() -> None:
    """Also what they import indirectly: checked in a fresh interpreter."""
    code = (
        "import sys, admin.commands, admin.overdue, conversations.sweep, storage.queries;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiogram', 'bot')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
