"""The compiled templates kept between runs, so a run does not compile them again.

Compiling a template (Jinja2 parses it, writes Python source for it and compiles that) is
most of what a small ``sync`` or ``check`` spends on its templates; loading the code is a
small part of it (figures in the commit that added this). Jinja2 keeps each template's code
in a folder of its own under the system's temporary folder that only this user may use (it
refuses one that others could write to), and compiles again whenever the template's text
changed.

The code of a template also depends on how it was compiled: the sandbox's code generator and
the environment's options (``mail.limits``, ``mail.render``), the sheets-sync, Jinja2 and
Python versions (Python's is in Jinja2's own header). Each key therefore holds a digest of
those two modules' files and the versions, so a change there never runs code compiled for
the old sandbox. A cache that cannot be used (no safe folder, a full disk, a damaged file)
only means compiling as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from sheets_sync import __version__

_COMPILED_BY = ("limits.py", "render.py")  # the modules whose code decides what a template compiles to


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja2's bytecode cache, keyed by how the sandbox compiles too, and never an error."""

    def __init__(self, directory: str | None = None) -> None:
        super().__init__(directory if directory is not None else _own_folder())
        # Jinja2's own header holds its cache format and Python's major.minor only: not its own
        # version, nor which build of Python (a beta and its final release differ in bytecode)
        digest = hashlib.sha256(f"sheets-sync {__version__} jinja2 {jinja2.__version__} {sys.version}".encode())
        here = Path(__file__).parent
        for name in _COMPILED_BY:
            digest.update((here / name).read_bytes())
        self._compiler = digest.hexdigest()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The template's key: its name and file, and the compiler's digest."""
        return hashlib.sha256(f"{self._compiler}|{name}|{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        """The stored code, or none (compiled afresh) when the file cannot be read as such."""
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Store the code; a failure leaves the template compiled for this run only."""
        try:
            super().dump_bytecode(bucket)
        except Exception:
            pass


def _own_folder() -> str | None:
    """Jinja2's per-user folder (``_jinja2-cache-<uid>`` in the temporary folder), made 0700
    when this run creates it, else taken only as a plain folder of this user's that only this
    user may use (RuntimeError otherwise). Jinja2's own default repairs what it finds: its
    chmod follows a symlink another user put there, and it then trusts files written while the
    folder was open to others. None without user IDs (Windows: Jinja2's default, the user's
    own temporary folder)."""
    if not hasattr(os, "getuid"):
        return None
    path = os.path.join(tempfile.gettempdir(), f"_jinja2-cache-{os.getuid()}")
    try:
        os.mkdir(path, stat.S_IRWXU)
        os.chmod(path, stat.S_IRWXU)  # ours, in a sticky folder: no one else can swap it meanwhile
    except FileExistsError:
        pass
    found = os.lstat(path)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or stat.S_IMODE(found.st_mode) != stat.S_IRWXU:
        raise RuntimeError(f"{path} is not a folder of this user's alone")
    return path


def compiled_templates() -> CompiledTemplates | None:
    """The cache in Jinja2's per-user folder, or None when there is no safe one to use."""
    try:
        return CompiledTemplates()
    except (OSError, RuntimeError):  # RuntimeError: a folder others could write to, refused
        return None
