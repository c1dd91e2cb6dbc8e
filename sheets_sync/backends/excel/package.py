"""The .xlsx/.xlsm package (a zip of XML parts): opened defensively, written atomically.

Opening checks what a hostile or broken file could do to us before any XML parser sees it:
an encrypted (OLE) container, a damaged zip, a decompression bomb (size and ratio limits,
checked while streaming, so a lying size field cannot get past them), a DTD in a part we
parse (no Office program writes one; it is how entity expansion and external entities
start). Every failure is a SourceError with one line saying what is wrong.

Writing builds the new package in a temporary file beside the workbook, flushes and fsyncs
it, lets the caller verify it, keeps a rotating copy of the old file in
``.sheets-sync/backups/``, then swaps it in with ``os.replace`` (atomic on one file system).
Parts we did not change are copied through with their bytes untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import threading
import time
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, NoReturn

from lxml import etree

from sheets_sync.backends.excel import deflate
from sheets_sync.backends.excel.member import Member
from sheets_sync.errors import SourceError

MAX_PART_BYTES = 1 << 30  # 1 GiB: far above a 500,000-row sheet, far below a bomb
MAX_TOTAL_BYTES = 3 << 30
MAX_RATIO = 1000  # real XML compresses 5-50x; bombs compress thousands of times
MAX_PARTS = 20_000
BACKUPS_KEPT = 5
STATE_FOLDER = ".sheets-sync"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry holds; Excel dates every part so
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
# What reading a damaged part can raise, from zipfile, the inflater or the file.
_DAMAGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, *deflate.ERRORS, OSError, EOFError, ValueError,
                                         NotImplementedError, RuntimeError)
_PROLOG_STEP = 1 << 12
_FEW_MARKS = 32  # "!"s in a block looked at one by one before the needles are searched for
BLOCK = 256 << 10  # a part is read this much at a time

ENCRYPTED = ("{name}: the workbook is password-protected or in the old .xls format; "
             "save a copy without a password as .xlsx and use that")
ZIP_PASSWORD = ("{name}: part {part} is locked with a zip password, which Excel does not use; "
                "unzip it with its password, or open the original in Excel and save it again as .xlsx")
NOT_ZIP = "{name}: not a readable Excel workbook ({why}); open it in Excel and save it again as .xlsx"
BOMB = "{name}: refused: part {part} would unpack to more than {limit} (a damaged or hostile file)"
HOSTILE_DTD = "{name}: refused: part {part} declares a DTD or entities, which no Office program writes (a hostile file?)"


@dataclass(frozen=True)
class Fingerprint:
    """What the workbook file was when we read it: size, modification time, content hash."""

    size: int
    mtime_ns: int
    blake2b: str  # Python's own BLAKE2 (the command line keeps OpenSSL out): faster than its SHA-256


def fingerprint(path: Path) -> Fingerprint:
    """The file's fingerprint (hashing reads it once, in 1 MiB blocks). Raises SourceError
    when ``path`` is not a regular file (see open_regular)."""
    digest = hashlib.blake2b()
    with open_regular(path) as fh:
        st = os.fstat(fh.fileno())
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return Fingerprint(st.st_size, st.st_mtime_ns, digest.hexdigest())


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
NOT_A_FILE = "{path}: not a workbook file but {kind}; give the path of an .xlsx or .xlsm file"
READ_ONLY = ("{path}: the file is read-only; nothing was written (make it writable, as Excel would ask you to, "
             "and run again)")


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    raise SourceError(NOT_A_FILE.format(path=path, kind=kind), source=str(path))


def open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for binary reading; SourceError (one line) when it is missing or is
    not a regular file.

    The type is checked before opening, because opening a FIFO blocks until a writer comes
    and a device such as /dev/zero never ends; it is checked again on the open handle
    (opened non-blocking), so a file swapped for a FIFO in between cannot hang us either.
    """
    try:
        _check_kind(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file", source=str(path)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open ({exc.strerror})", source=str(path)) from None
    try:
        _check_kind(path, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def ensure_writable(path: Path) -> None:
    """Raise SourceError ("the file is read-only") unless ``path`` may be replaced.

    Replacing renames a new file over the old one, which only needs the folder to be
    writable; Excel refuses to save over a read-only file, and so do we. ``os.access``
    tells for this user (and ACLs, and a read-only file system), but it always says yes to
    root, so a file with no write permission bit at all (``chmod 444``) is refused too.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or unreadable: the read says so in its own words
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise SourceError(READ_ONLY.format(path=path), source=str(path))


def _human(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n < 1 << 30 else f"{n / (1 << 30):.0f} GiB"


class Package:
    """An opened workbook package: its part names and their bytes on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        # One handle for zipfile and for the parts inflated by xlsx_member (the same file
        # however it is renamed or replaced meanwhile), read under zipfile's own lock.
        self._raw = open_regular(self.path)
        try:
            head = self._raw.read(8)
            self._raw.seek(0)
        except OSError as exc:
            self._raw.close()
            raise SourceError(f"{self.path}: cannot open ({exc.strerror})", source=str(self.path)) from None
        if head == OLE_MAGIC:
            self._raw.close()
            raise SourceError(ENCRYPTED.format(name=self.name), source=str(self.path))
        try:
            self.zip = zipfile.ZipFile(self._raw)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            self._raw.close()
            raise SourceError(NOT_ZIP.format(name=self.name, why=_why(exc)), source=str(self.path)) from None
        self._lock = getattr(self.zip, "_lock", None) or threading.RLock()
        self.infos = {i.filename: i for i in infos}
        try:
            self._check_sizes(infos)
        except BaseException:
            self.close()
            raise

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        if len(infos) > MAX_PARTS:
            self._fail(f"{len(infos)} parts is more than any workbook has")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                # A zip-level password (not Excel's own protection): no Office program writes one.
                raise SourceError(ZIP_PASSWORD.format(name=self.name, part=info.filename), source=str(self.path))
            if info.file_size > MAX_PART_BYTES or (
                info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise SourceError(BOMB.format(name=self.name, part=info.filename, limit=_human(MAX_PART_BYTES)),
                                  source=str(self.path))
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            self._fail(f"it would unpack to {_human(total)}")
        if "[Content_Types].xml" not in self.infos:
            self._fail("no [Content_Types].xml part")

    def _fail(self, why: str) -> NoReturn:
        raise SourceError(NOT_ZIP.format(name=self.name, why=why), source=str(self.path))

    def close(self) -> None:
        """Close the underlying zip file."""
        self.zip.close()
        self._raw.close()

    def open(self, part: str) -> IO[bytes]:
        """``part`` as a stream (``read(n)``), checked at its end like zipfile checks it;
        a deflated part is inflated by ISA-L when installed (see xlsx_member)."""
        info = self.infos[part]
        if info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1:  # not encrypted
            # Member reads as the stream zipfile returns does (read, close, with), not the whole IO
            return Member(self._raw, self._lock, info)  # type: ignore[return-value]
        return self.zip.open(info)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, part: str) -> bool:
        """True when the package holds ``part`` (a name without leading slash)."""
        return part in self.infos

    def read(self, part: str, *, xml: bool = True, keep: bool = True) -> bytes:
        """The bytes of ``part``, read in bounded blocks; XML parts are checked for a DTD.

        Raises SourceError when the part is missing, damaged (bad CRC, truncated), larger
        than its declared size or the limits, or (``xml``) declares a DTD. Without ``keep``
        only the first block is kept (and returned): for checking a part without holding it.
        """
        chunks: list[bytes] = []
        for block in self.blocks(part, xml=xml):
            if keep or not chunks:
                chunks.append(block)
        return b"".join(chunks)

    def blocks(self, part: str, *, xml: bool = True) -> Iterator[bytes]:
        """The bytes of ``part`` a block at a time, with ``read``'s checks (the last one,
        the checksum, once the last block is read): a big part never held whole."""
        info = self.infos.get(part)
        if info is None:
            self._fail(f"part {part} is missing")
        limit = min(info.file_size, MAX_PART_BYTES)
        size = 0
        guard = DtdGuard() if xml else None
        try:
            with self.open(part) as fh:
                while True:
                    block = fh.read(BLOCK)
                    if not block:
                        break
                    if guard is not None and guard.found(block):
                        raise SourceError(HOSTILE_DTD.format(name=self.name, part=part), source=str(self.path))
                    size += len(block)
                    if size > limit:
                        raise SourceError(BOMB.format(name=self.name, part=part, limit=_human(limit)),
                                          source=str(self.path))
                    yield block
        except SourceError:
            raise
        except _DAMAGED as exc:
            self._fail(f"part {part} is damaged: {_why(exc)}")

    def check_all(self, skip: Collection[str] = ()) -> None:
        """Stream every part once (CRC and size checks), so a damaged member is found
        before a parser or a writer relies on it. ``skip``: parts the caller reads whole
        anyway (which checks their CRC too)."""
        for part in self.infos:
            if self.infos[part].is_dir() or part in skip:
                continue
            self.read(part, xml=part.endswith((".xml", ".rels", ".vml")), keep=False)


class DtdGuard:
    """Finds a DTD in a part fed block by block, wherever it is.

    lxml (no DTD loading, no entities, no network) parses the prolog up to the root element
    and reports a document type declaration however the part is encoded and however long
    the comments before it. A declaration after the root is not well-formed XML, which
    lxml refuses but a lenient parser may skip: the rest of the part is searched for one.
    """

    def __init__(self) -> None:
        self._seen = _Prolog()
        # A parser target builds no tree: nothing is kept but what the target records.
        self._parser: etree.XMLParser | None = etree.XMLParser(
            target=self._seen, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        self._needles: tuple[bytes, ...] = _DECLARATIONS
        self._tail = b""

    def found(self, block: bytes) -> bool:
        """True when the part so far declares a DTD or entities."""
        if self._parser is not None:
            if not self._tail and block[:4] in (b"\xff\xfe<\0", b"\xfe\xff\0<", b"<\0?\0", b"\0<\0?"):
                self._needles += tuple(n.decode().encode(c) for n in _DECLARATIONS for c in ("utf-16-le", "utf-16-be"))
            self._prolog(block)
            if self._seen.declared:
                return True
        edge = self._tail + block[:64]  # a declaration cut in two by the block boundary
        if any(needle in edge for needle in self._needles) or self._declares(block):
            return True
        self._tail = block[-32:] if len(block) >= 32 else (self._tail + block)[-32:]
        return False

    def _declares(self, block: bytes) -> bool:
        """True when ``block`` holds one of the needles."""
        if self._needles is not _DECLARATIONS:  # UTF-16 needles too: searched for each
            return any(needle in block for needle in self._needles)
        # Both needles are "<!" and a word: a sheet has few "!", and finding the next is a
        # scan for one byte, several times faster than a search for each needle.
        at = block.find(b"!", 1)
        for _ in range(_FEW_MARKS):
            if at == -1:
                return False
            if block[at - 1] == 0x3C and block.startswith((b"DOCTYPE", b"ENTITY"), at + 1):  # "<" before it
                return True
            at = block.find(b"!", at + 1)
        return any(needle in block for needle in _DECLARATIONS)  # many: the needles themselves

    def _prolog(self, block: bytes) -> None:
        assert self._parser is not None
        for start in range(0, len(block), _PROLOG_STEP):
            try:
                self._parser.feed(block[start:start + _PROLOG_STEP])
            except etree.XMLSyntaxError:  # not XML: whoever parses it will say so; the search goes on
                self._parser = None
                return
            if self._seen.rooted or self._seen.declared:
                self._parser = None  # the prolog is over: no DTD can follow in well-formed XML
                return


class _Prolog:
    """lxml parser target: notes a document type declaration and the root element."""

    def __init__(self) -> None:
        self.declared = False
        self.rooted = False

    def doctype(self, *_declaration: object) -> None:
        self.declared = True

    def start(self, *_element: object) -> None:
        self.rooted = True

    def close(self) -> None:
        return None


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def resolve(base_part: str, target: str) -> str:
    """A relationship target resolved against the part that holds the relationship."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = PurePosixPath(base_part).parent
    parts: list[str] = []
    for piece in (folder / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (xl/workbook.xml -> xl/_rels/workbook.xml.rels)."""
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels")).lstrip("./") if str(p.parent) != "." else f"_rels/{p.name}.rels"


def write_package(path: Path, source: Package, changed: dict[str, Any], *,
                  verify: Callable[[Path], None] | None = None,
                  order: Iterable[str] | None = None) -> None:
    """Replace the workbook at ``path`` by ``source`` with the ``changed`` parts (new or
    rewritten: bytes, or an object that holds them deflated: ``raw_blocks()``, ``crc``,
    ``size``, ``compress_size``), atomically.

    Unchanged parts are copied with their compressed bytes as they are. The new file is
    written beside the old one, fsynced, checked by ``verify`` (which raises on failure),
    the old file is copied to the backups folder, then the new one is renamed over it.
    Raises SourceError when the folder is not writable.
    """
    import secrets  # here: due and check only read, and secrets loads random and hmac

    folder = path.parent if str(path.parent) else Path(".")
    tmp = folder / f".~{path.stem}.{secrets.token_hex(4)}.tmp"
    names = list(order) if order is not None else list(source.infos)
    names += [n for n in changed if n not in names]
    try:
        with open(tmp, "xb") as raw:
            try:
                with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
                    for name in names:
                        if name in changed:
                            info = _new_info(name, source.infos.get(name))
                            data = changed[name]
                            if hasattr(data, "raw_blocks"):  # deflated already (a spilled sheet)
                                info.CRC, info.file_size = data.crc, data.size
                                info.compress_size = data.compress_size
                                _put_raw(out, info, data.raw_blocks())
                                continue
                            packed = deflate.deflated(data)
                            info.CRC, info.file_size, info.compress_size = deflate.crc32(data), len(data), len(packed)
                            _put_raw(out, info, [packed])
                            del packed
                        else:
                            _copy_raw(source, out, source.infos[name])
                raw.flush()
                os.fsync(raw.fileno())
            except BaseException:
                raise
        _match_mode(path, tmp)
        if verify is not None:
            verify(tmp)
        backup(path)
        os.replace(tmp, path)
        _fsync_dir(folder)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the workbook ({exc.strerror or exc})", source=str(path)) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _new_info(name: str, old: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    # A new part is dated 1 Jan 1980, as Excel dates every part: the same write makes the
    # same bytes whatever the second it runs.
    info = zipfile.ZipInfo(name, date_time=old.date_time if old else ZIP_EPOCH)
    if info.date_time[0] < 1980:
        info.date_time = (1980, 1, 1, 0, 0, 0)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = old.external_attr if old else 0o600 << 16
    info.create_system = old.create_system if old else 0
    return info


def _copy_raw(source: Package, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes as they are (no inflate/deflate round trip)."""
    fp = source.zip.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        raise SourceError(NOT_ZIP.format(name=source.name, why=f"part {info.filename} is damaged"),
                          source=str(source.path))
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.flag_bits = info.flag_bits & ~0x08  # sizes are known: no data descriptor
    new.CRC = info.CRC
    new.compress_size = info.compress_size
    new.file_size = info.file_size

    def blocks() -> Iterator[bytes]:
        remaining = info.compress_size
        while remaining:
            block = fp.read(min(remaining, 1 << 20))
            if not block:
                raise SourceError(NOT_ZIP.format(name=source.name, why=f"part {info.filename} is truncated"),
                                  source=str(source.path))
            yield block
            remaining -= len(block)

    _put_raw(out, new, blocks())


def _put_raw(out: zipfile.ZipFile, new: zipfile.ZipInfo, blocks: Iterable[bytes]) -> None:
    """Write a member whose compressed bytes, CRC and sizes are known (set on ``new``)."""
    # zipfile has no public raw write; write the local header ourselves through its API.
    with out._lock:  # type: ignore[attr-defined]
        if out._seekable:  # type: ignore[attr-defined]
            out.fp.seek(out.start_dir)  # type: ignore[union-attr]
        new.header_offset = out.fp.tell()  # type: ignore[union-attr]
        out._writecheck(new)  # type: ignore[attr-defined]
        out._didModify = True  # type: ignore[attr-defined]
        zip64 = new.file_size > zipfile.ZIP64_LIMIT or new.compress_size > zipfile.ZIP64_LIMIT
        out.fp.write(new.FileHeader(zip64))  # type: ignore[union-attr]
        for block in blocks:
            out.fp.write(block)  # type: ignore[union-attr]
        out.filelist.append(new)
        out.NameToInfo[new.filename] = new
        out.start_dir = out.fp.tell()  # type: ignore[union-attr]


def _match_mode(original: Path, tmp: Path) -> None:
    try:
        mode = stat.S_IMODE(os.stat(original).st_mode)
        os.chmod(tmp, mode)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backups_dir(path: Path) -> Path:
    """Where the previous versions of ``path`` are kept."""
    return path.parent / STATE_FOLDER / "backups"


def backup(path: Path) -> Path | None:
    """Copy ``path`` into the backups folder (newest ``BACKUPS_KEPT`` kept); return the copy."""
    import secrets

    if not path.exists():
        return None
    folder = backups_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}.{secrets.token_hex(2)}{path.suffix}"
    shutil.copy2(path, target)
    for old in backups_of(path)[:-BACKUPS_KEPT]:
        try:
            old.unlink()
        except OSError:
            pass
    return target


def backups_of(path: Path) -> list[Path]:
    """The backups of ``path`` and of no other workbook, oldest first.

    Matched on the exact name: ``<stem>.<YYYYmmdd-HHMMSS>.<xxxx><suffix>``, so the backups of
    ``clients.old.xlsx`` are not taken for those of ``clients.xlsx`` (a glob on
    ``clients.*.xlsx`` matched both, and rotation deleted the other workbook's backups).
    """
    name = re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}\.[0-9a-f]{4}" + re.escape(path.suffix))
    try:
        found = [p for p in backups_dir(path).iterdir() if name.fullmatch(p.name)]
    except OSError:
        return []
    return sorted(found, key=_age)


def _age(path: Path) -> tuple[int, str]:
    try:
        return path.stat().st_mtime_ns, path.name
    except OSError:  # removed meanwhile (another run rotating): oldest, its unlink is a no-op
        return 0, path.name
