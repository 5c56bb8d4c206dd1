"""The one writer of every file the app writes: reports, exports, transcripts, the learning log.

Every file is private and whole:

- written to a temporary file in the target's directory, flushed to disk (``fsync``) and renamed
  over the target, then the directory is flushed too: a kill or a power cut leaves the old file
  or the new one, never a 0-byte or half-written target;
- created owner-only (0600) whatever the umask; its missing directories are created 0700, each
  one (not only the last);
- never written through a symbolic link, never onto a device, FIFO or directory, never over a
  database (a file starting ``SQLite format 3``, even when forced) and never over any existing
  file unless the caller says so (``force``: the CLI's ``--force``, the TUI's confirmation).

An existing file is replaced by a new one (a new inode, 0600), never chmod-ed or truncated.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
FILE_MODE = 0o600
DIR_MODE = 0o700


class WriteError(Exception):
    """A file was not written; ``message`` is one line saying which and why (nothing was changed)."""

    def __init__(self, message: str, *, exists: bool = False) -> None:
        self.message = message
        #: The only reason was an existing file: asking "overwrite?" and forcing may succeed.
        self.exists = exists
        super().__init__(message)


def make_private_dirs(directory: str | Path) -> Path:
    """Create a directory and each missing parent, one by one, owner-only (0700).

    Directories that already exist are left as they are.

    Raises:
        WriteError: a part of the path is not a directory, or cannot be created.
    """
    directory = Path(directory)
    missing: list[Path] = []
    d = directory
    while not os.path.lexists(d):
        missing.append(d)
        if d.parent == d:
            break
        d = d.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process: theirs, left alone
        except OSError as err:
            raise WriteError(f"{d}: cannot create the directory ({err.strerror})") from None
        # Ours, just made: the umask may have taken bits off 0700 (never added any).
        os.chmod(d, DIR_MODE)
    if not directory.is_dir():
        raise WriteError(f"{directory}: not a directory")
    return directory


def _check_target(path: Path, *, force: bool) -> bool:
    """Whether the target exists; raises when it must not be written at all."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as err:
        raise WriteError(f"{path}: cannot be checked ({err.strerror}); not written") from None
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(f"{path}: is a symbolic link; files are never written through one (give the real path)")
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{path}: not a regular file (a directory, device or pipe); not written")
    if _is_database(path):
        raise WriteError(f"{path}: is a database; it is never overwritten (choose another file name)")
    if not force:
        raise WriteError(f"{path}: already exists; not overwritten (use --force to replace it)", exists=True)
    return True


def _is_database(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False  # unreadable: it will be replaced, not read or changed
    try:
        return os.read(fd, len(SQLITE_MAGIC)) == SQLITE_MAGIC
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory: the file is synced
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def write_private(path: str | Path, data: bytes | str, *, force: bool = False) -> Path:
    """Write a whole file owner-only (0600), atomically; text is written as UTF-8.

    Args:
        path: the target; its missing directories are created 0700.
        data: the whole content.
        force: replace an existing regular file (never a database, link or device).

    Returns:
        The path written.

    Raises:
        WriteError: nothing was written, and why (``exists`` set when only ``force`` was missing).
    """
    path = Path(path)
    payload = _as_bytes(data)
    if not path.name or path.name in (".", ".."):
        raise WriteError(f"{path}: not a file name")
    directory = make_private_dirs(path.parent)
    exists = _check_target(path, force=force)
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    except OSError as err:
        raise WriteError(f"{path}: cannot write ({err.strerror})") from None
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # our own new file: the umask may have taken bits off
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if exists:
            os.replace(tmp, path)  # a rename replaces a link put there meanwhile, never follows it
        else:
            _link_new(tmp, path)
    except WriteError:
        _discard(tmp)
        raise
    except OSError as err:
        _discard(tmp)
        raise WriteError(f"{path}: cannot write ({err.strerror})") from None
    except BaseException:
        _discard(tmp)
        raise
    _fsync_directory(directory)
    return path


def _link_new(tmp: Path, path: Path) -> None:
    """Put a new file in place without replacing one made meanwhile (a link fails on an existing name)."""
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise WriteError(f"{path}: already exists; not overwritten (use --force to replace it)", exists=True) from None
    except OSError:
        # A filesystem without hard links: the check above stands, the rename is still atomic.
        if os.path.lexists(path):
            raise WriteError(f"{path}: already exists; not overwritten (use --force to replace it)",
                             exists=True) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def append_private(path: str | Path, data: bytes | str) -> Path:
    """Append to a log file, creating it owner-only (0600) and its directories 0700.

    The log is never reached through a symbolic link and must be a regular file that is not a
    database. An existing log of the user's keeps its mode, less any group and world bits.

    Raises:
        WriteError: nothing was written, and why.
    """
    path = Path(path)
    payload = _as_bytes(data)
    make_private_dirs(path.parent)
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
            created = True
        except FileExistsError:
            fd = os.open(path, flags)
            created = False
    except OSError as err:
        if os.path.islink(path):
            raise WriteError(f"{path}: is a symbolic link; files are never written through one") from None
        raise WriteError(f"{path}: cannot write ({err.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(f"{path}: not a regular file (a directory, device or pipe); not written")
        if created:
            os.fchmod(fd, FILE_MODE)
        else:
            if _is_database(path):
                raise WriteError(f"{path}: is a database, not a log; not written")
            if st.st_mode & 0o077 and st.st_uid == os.geteuid():
                os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o700)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as err:
        raise WriteError(f"{path}: cannot write ({err.strerror})") from None
    finally:
        os.close(fd)
    if created:
        _fsync_directory(path.parent)
    return path


__all__ = ["SQLITE_MAGIC", "WriteError", "append_private", "make_private_dirs", "write_private"]
