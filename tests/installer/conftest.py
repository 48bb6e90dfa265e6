"""The Linux build, made once per test session from a clean tree, for every installer test.

A clean tree is what a fresh clone holds, plus this checkout's uncommitted changes:
git's tracked and untracked-but-not-ignored files, so no .venv, no earlier build.
``installer/build-linux`` freezes it with this test's Python (PyInstaller from the
locked dependencies) and packages it twice: as __version__ and, for the upgrade
test, as a newer package version of the same build.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkgtools import NEXT_VERSION, need_tools

from baliedesk import __version__

ROOT = Path(__file__).resolve().parents[2]


def clean_tree(dest: Path) -> Path:
    """Copy what a clone of this checkout holds (with uncommitted edits) into ``dest``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                                capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = None
    if listed is None:  # not a git checkout: everything but what the build makes
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", "*.pyc", "dist", "build", ".hypothesis", ".pytest_cache"))
        return dest
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():  # deleted but still in the index: not in the tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@dataclasses.dataclass(frozen=True)
class LinuxBuild:
    tree: Path  # the clean tree it was built from
    bundle: Path  # installer/dist/baliedesk: the frozen program
    deb: Path  # the .deb of __version__
    deb_next: Path  # the same build as package version NEXT_VERSION
    build_s: float


def run_script(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")


@pytest.fixture(scope="session")
def linux_build(tmp_path_factory) -> LinuxBuild:
    need_tools("dpkg-deb", "dpkg")
    tree = clean_tree(tmp_path_factory.mktemp("clean-tree"))
    packages = tmp_path_factory.mktemp("packages")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BALIEDESK_PACKAGE_VERSION")}
    env["BALIEDESK_PYTHON"] = sys.executable
    # A cache of its own: another PyInstaller run on this machine at the same time (a second
    # worker, a developer's build) corrupted the shared bincache once.
    env["PYINSTALLER_CONFIG_DIR"] = str(tmp_path_factory.mktemp("pyinstaller-cache"))
    t0 = time.monotonic()
    run_script([str(tree / "installer" / "build-linux")], tree, env, timeout=3600)
    build_s = time.monotonic() - t0
    (deb,) = (tree / "installer" / "dist").glob(f"baliedesk_{__version__}_*.deb")
    deb = Path(shutil.move(deb, packages / deb.name))
    run_script([str(tree / "installer" / "build-linux"), "--package-only"], tree,
               dict(env, BALIEDESK_PACKAGE_VERSION=NEXT_VERSION), timeout=1200)
    (deb_next,) = (tree / "installer" / "dist").glob(f"baliedesk_{NEXT_VERSION}_*.deb")
    deb_next = Path(shutil.move(deb_next, packages / deb_next.name))
    return LinuxBuild(tree, tree / "installer" / "dist" / "baliedesk", deb, deb_next, build_s)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``./dev test`` runs two workers), every installer test runs on one
    worker, so the frozen bundle is built once per run (``--dist loadgroup``)."""
    for item in items:
        if "tests/installer/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("installer"))
