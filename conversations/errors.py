"""Naming an error in the log without what she wrote."""

from __future__ import annotations

import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def where(error: BaseException) -> str:
    """The error's kind and the last line of the project's code it passed, never its message.

    A message can quote a name, an answer or a statement's values; the kind and the line are
    enough to find the cause.
    """
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "site-packages" not in f.filename]
    if not ours:
        return type(error).__name__
    return f"{type(error).__name__} at {Path(ours[-1].filename).relative_to(ROOT)}:{ours[-1].lineno}"
