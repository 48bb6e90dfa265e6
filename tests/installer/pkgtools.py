"""Helpers of the installer tests: a scratch root for dpkg, a user's home, file listings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from baliedesk import __version__

NEXT_VERSION = f"{__version__}+upgrade1"  # the upgrade test's newer package: sorts after __version__ for dpkg


def need_tools(*tools: str) -> None:
    """Skip without the tools, except under CI, where .ci/run installs them and a skip would hide a failure."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux package is built on Linux")
    message = f"missing {', '.join(missing)} (.ci/run installs them: apt-get install {' '.join(missing)})"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


class ScratchRoot:
    """An empty system root that dpkg installs into (``dpkg --root``): its own package database,
    maintainer scripts run without chroot (they see DPKG_ROOT and do nothing), no dependencies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for sub in ("info", "updates", "triggers"):
            (path / "var/lib/dpkg" / sub).mkdir(parents=True, exist_ok=True)
        (path / "var/lib/dpkg/status").touch()

    def dpkg(self, *args: str) -> str:
        cmd = ["dpkg", f"--root={self.path}", "--force-script-chrootless", "--force-depends", "--log=/dev/null"]
        if os.geteuid() != 0:
            cmd.append("--force-not-root")
        # dpkg wants ldconfig and start-stop-daemon on the PATH, which a normal user's PATH may lack.
        path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])
        proc = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=600, env=dict(os.environ, PATH=path))
        if proc.returncode != 0:
            raise AssertionError(f"dpkg {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc.stdout

    def installed_version(self) -> str | None:
        proc = subprocess.run(["dpkg-query", f"--admindir={self.path}/var/lib/dpkg", "-W",
                               "-f=${Status} ${Version}", "baliedesk"], capture_output=True, text=True)
        if proc.returncode != 0 or not proc.stdout.startswith("install ok installed"):
            return None
        return proc.stdout.rsplit(" ", 1)[1]

    @property
    def program(self) -> Path:
        return self.path / "opt" / "baliedesk" / "baliedesk"


class User:
    """A user's home with its own config and data folders: where BalieDesk keeps everything it writes."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.data = home / ".local" / "share"
        self.config = home / ".config"
        for d in (self.data, self.config, home / ".cache"):
            d.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("BALIEDESK_", "PYTHON", "XDG_", "VIRTUAL_ENV", "QT_"))}
        env.update(HOME=str(self.home), XDG_DATA_HOME=str(self.data), XDG_CONFIG_HOME=str(self.config),
                   XDG_CACHE_HOME=str(self.home / ".cache"), QT_QPA_PLATFORM="offscreen",
                   # no machine-wide settings of this test machine
                   BALIEDESK_MACHINE_CONFIG=str(self.home / "no-machine-settings.json"))
        env.update(extra)
        return env

    def run(self, program: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(program), *args], cwd=self.home, env=self.env(**extra), capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"{program.name} {' '.join(args)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
        return proc


def tree_listing(path: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``path`` with its size and modification time."""
    return {str(p.relative_to(path)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in path.rglob("*") if p.is_file() or p.is_symlink()}
