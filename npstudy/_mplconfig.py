"""Give matplotlib a writable configuration folder before it is imported.

matplotlib keeps its configuration and font cache in ``~/.config/matplotlib`` and
``~/.cache/matplotlib`` (``~/.matplotlib`` off Linux). Where they cannot be written (a
read-only or missing home folder, as on some clusters and containers), it makes a
temporary folder itself but says so on stderr, which would break the promise that an
error is the only line a command prints. This module, imported before matplotlib, points
``MPLCONFIGDIR`` at a temporary folder of its own in that case (removed when the process
ends). It changes nothing when ``MPLCONFIGDIR`` is set or the default folders are writable.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

__all__ = ["ensure_writable_config"]


def _default_folders() -> list[str]:
    home = os.path.expanduser("~")
    if sys.platform.startswith(("linux", "freebsd")):
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        return [os.path.join(config, "matplotlib"), os.path.join(cache, "matplotlib")]
    return [os.path.join(home, ".matplotlib")]


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def ensure_writable_config() -> str | None:
    """Set ``MPLCONFIGDIR`` to a fresh temporary folder if matplotlib's defaults are not
    writable; return that folder, or None if nothing was changed."""
    if os.environ.get("MPLCONFIGDIR") or "matplotlib" in sys.modules:
        return None
    if all(_writable(folder) for folder in _default_folders()):
        return None
    folder = tempfile.mkdtemp(prefix="npstudy-matplotlib-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ["MPLCONFIGDIR"] = folder
    return folder


ensure_writable_config()
