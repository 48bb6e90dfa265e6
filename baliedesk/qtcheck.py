"""Does this Linux system have what Qt's xcb platform plugin needs? Checked before Qt loads.

Qt's own message when a library is missing ("xcb-cursor0 or libxcb-cursor0 is
needed ... no Qt platform plugin could be initialized") names one package, often
the wrong one. This module asks ``ldd`` which libraries the plugin file
(``PySide6/Qt/plugins/platforms/libqxcb.so``) cannot find, adds
``libxcb-cursor.so.0`` (Qt opens that one itself at run time, so ``ldd`` does not
list it), and maps the missing files to Debian/Ubuntu package names.

Plain standard library and no Qt import: ``./dev`` runs it with the system's
Python before any window starts (it may run before the virtual environment
exists). Messages are Dutch: an operator reads them.
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Set to 1 to let ``./dev`` install missing system packages itself (only as root, with apt-get).
INSTALL_ENV = "BALIEDESK_INSTALL_SYSTEM_PACKAGES"

#: Library file (soname) -> the Debian/Ubuntu package that ships it.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
}

#: Opened by Qt (dlopen) since 6.5, so never in ``ldd``'s list.
DLOPENED = ("libxcb-cursor.so.0",)


@dataclass(frozen=True)
class QtCheck:
    plugin: str  # the plugin file checked ("" when none was found)
    missing: tuple[str, ...]  # library files not found
    packages: tuple[str, ...]  # Debian packages that provide them
    unknown: tuple[str, ...]  # missing files no package is known for

    @property
    def ok(self) -> bool:
        return not self.missing


def find_plugin(search: Iterable[str | os.PathLike[str]]) -> Path | None:
    """The xcb plugin of the first PySide6 below one of the ``search`` folders
    (a virtual environment or a site-packages folder)."""
    for base in search:
        for pattern in ("PySide6/Qt/plugins/platforms/libqxcb.so",
                        "lib/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so",
                        "lib64/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so"):
            hits = sorted(glob.glob(os.path.join(os.fspath(base), pattern)))
            if hits:
                return Path(hits[0])
    return None


def run_ldd(path: Path) -> str:
    """``ldd``'s output for ``path`` ("" when there is no ldd)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return ""
    proc = subprocess.run([ldd, os.fspath(path)], capture_output=True, text=True, check=False)
    return proc.stdout + proc.stderr


def not_found(ldd_output: str) -> list[str]:
    """The library files ``ldd`` reported as "not found", in order, each once."""
    out: list[str] = []
    for line in ldd_output.splitlines():
        name, sep, rest = line.strip().partition("=>")
        if sep and rest.strip().startswith("not found"):
            soname = name.strip()
            if soname and soname not in out:
                out.append(soname)
    return out


def apt_file_package(soname: str, run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> str | None:
    """The package ``apt-file`` names for ``soname``, when apt-file is installed and knows it."""
    if shutil.which("apt-file") is None:
        return None
    proc = run(["apt-file", "search", "--package-only", soname], capture_output=True, text=True, check=False)
    names = [line.strip() for line in (proc.stdout or "").splitlines() if line.strip()]
    return names[0] if names else None


def check(plugin: Path | None, *, ldd: Callable[[Path], str] = run_ldd,
          find_library: Callable[[str], str | None] = ctypes.util.find_library,
          lookup: Callable[[str], str | None] = apt_file_package) -> QtCheck:
    """What is missing for ``plugin``. ``ldd``, ``find_library`` and ``lookup`` are replaceable for tests."""
    if plugin is None:
        return QtCheck("", (), (), ())
    missing = not_found(ldd(plugin))
    for soname in DLOPENED:
        # find_library("xcb-cursor") -> "libxcb-cursor.so.0" when the system has it.
        short = soname.removeprefix("lib").split(".so")[0]
        if soname not in missing and not find_library(short):
            missing.append(soname)
    packages: list[str] = []
    unknown: list[str] = []
    for soname in missing:
        package = DEBIAN_PACKAGES.get(soname) or lookup(soname)
        if package is None:
            unknown.append(soname)
        elif package not in packages:
            packages.append(package)
    return QtCheck(os.fspath(plugin), tuple(missing), tuple(packages), tuple(unknown))


def advice(result: QtCheck) -> str:
    """One line for the terminal: exactly what to install (Dutch)."""
    parts = []
    if result.packages:
        parts.append("sudo apt-get install -y " + " ".join(result.packages))
    if result.unknown:
        parts.append("en de pakketten met " + ", ".join(result.unknown))
    return ("dev: vensters kunnen niet starten, er ontbreken systeembibliotheken voor Qt. "
            "Installeer ze met: " + " ".join(parts))


def may_install(env: dict[str, str] | None = None) -> bool:
    """Only when asked (``BALIEDESK_INSTALL_SYSTEM_PACKAGES=1``), as root, and with apt-get."""
    env = os.environ if env is None else env
    asked = env.get(INSTALL_ENV, "").strip().lower() in ("1", "true", "yes", "ja")
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return asked and root and shutil.which("apt-get") is not None


def needs_check(env: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Only on Linux, and not when Qt is told to use another platform (offscreen, wayland, ...)."""
    env = os.environ if env is None else env
    qpa = env.get("QT_QPA_PLATFORM", "").strip().lower()
    return platform.startswith("linux") and (not qpa or qpa.startswith("xcb"))


def preflight(search: Sequence[str | os.PathLike[str]], *, env: dict[str, str] | None = None,
              platform: str = sys.platform, ldd: Callable[[Path], str] = run_ldd,
              find_library: Callable[[str], str | None] = ctypes.util.find_library,
              lookup: Callable[[str], str | None] = apt_file_package,
              install: Callable[[Sequence[str]], int] | None = None,
              say: Callable[[str], None] = print) -> bool:
    """Check before a window starts. True: go ahead. False: ``say`` told what to install.

    Installs the packages itself when :func:`may_install` (``install`` runs apt-get).
    """
    if not needs_check(env, platform):
        return True
    result = check(find_plugin(search), ldd=ldd, find_library=find_library, lookup=lookup)
    if result.ok:
        return True
    if result.packages and not result.unknown and may_install(env):
        say("dev: Qt mist systeembibliotheken; ik installeer " + " ".join(result.packages) + " ...")
        if (install or apt_install)(result.packages) == 0:
            return True
    say(advice(result))
    return False


def apt_install(packages: Sequence[str]) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
    return subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
                          check=False, env=env).returncode


if __name__ == "__main__":  # python -m baliedesk.qtcheck [VENV ...]
    sys.exit(0 if preflight(sys.argv[1:] or [sys.prefix]) else 1)
