"""requirements.lock is what every machine installs: it must agree with pyproject.toml, carry
hashes, and be what this very test run is using."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(?:\s*;\s*(.+?))?\s*\\?$")


def _locked() -> dict[str, list[tuple[Version, Marker | None, int]]]:
    """Each locked package: its versions, with their environment markers and how many hashes."""
    entries: dict[str, list[tuple[Version, Marker | None, int]]] = {}
    current: list[tuple[Version, Marker | None, int]] | None = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := ENTRY.match(line):
            name, pinned, marker = match.groups()
            current = entries.setdefault(canonicalize_name(name), [])
            current.append((Version(pinned), Marker(marker) if marker else None, 0))
        elif line.strip().startswith("--hash=sha256:") and current:
            pinned_version, marker, hashes = current[-1]
            current[-1] = (pinned_version, marker, hashes + 1)
    return entries


def _declared() -> list[Requirement]:
    """Everything pyproject.toml asks for: the runtime, the dev extra and the build backend."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    texts = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["build-system"]["requires"],
    ]
    return [Requirement(text) for text in texts]


LOCKED = _locked()


@pytest.mark.parametrize("requirement", _declared(), ids=str)
def test_the_lock_satisfies_pyproject(requirement: Requirement) -> None:
    pins = LOCKED.get(canonicalize_name(requirement.name))
    assert pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
    for pinned, _marker, _hashes in pins:
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={pinned}, outside {requirement}: run `make lock`"
        )


def test_every_locked_package_has_hashes() -> None:
    unhashed = [name for name, pins in LOCKED.items() for _v, _m, hashes in pins if hashes == 0]
    assert not unhashed


def test_this_run_uses_the_locked_versions() -> None:
    """A package installed by hand, or an old .venv, shows here."""
    different = []
    for name, pins in LOCKED.items():
        wanted = [pinned for pinned, marker, _ in pins if marker is None or marker.evaluate()]
        if not wanted:
            continue  # not for this platform
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            different.append(f"{name}: not installed")
            continue
        if installed not in wanted:
            different.append(f"{name}: {installed} installed, {wanted[0]} locked")
    assert not different, (
        f"the environment differs from requirements.lock (run `make clean test`): {different}"
    )
