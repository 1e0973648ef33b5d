"""Where results are written, and what happens to a file that is already there.

The guarantees a practice relies on (the README's "Data safety" section):

* **No silent overwrite.** An existing file the tool did not write is never replaced: the command
  stops with one sentence. ``--force`` replaces it, after a backup copy beside it. An earlier output
  of the same kind (recognised by the marks :mod:`.ownership` leaves in every output: a billing
  workbook, a portfolio, an assessment, the demo clinic) is replaced as usual; an output of another
  kind is the other command's work (a clinic's closed billing workbook under ``portfolio -o``) and
  is refused like a file the tool did not write.
* **In place only with a backup.** ``--in-place`` first copies the workbook to a backup whose name is
  never reused (two runs in the same second get ``...-2``), refuses a read-only workbook, and writes
  through a symbolic link to the file it points at instead of replacing the link.
* **Never half a file.** Everything is written to a private temporary file in the target's folder
  and renamed over the target in one step; a crash, a full disk or a size limit leaves the old file.
* **Never more visible than the input.** An output gets the input's permission bits or stricter, so a
  workbook only its owner may read gives results only its owner may read.
* **No leftovers.** Temporary files and folders carry the process id; ones left by a killed run
  (they hold copies of patient sheets) are removed by the next run.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..display import shown
from .ownership import output_kind
from .reader import WorkbookError

#: Temporary output files (in the target's folder) and work folders (in the system temp folder).
TEMP_FILE_PREFIX = ".~ib-"
TEMP_DIR_PREFIX = "ib-out-"
#: A leftover without a process id in its name is removed once it is this old (seconds).
STALE_AFTER = 6 * 3600


# ----------------------------------------------------------------------------- deciding


def check_new_output(target: Path, kind: str | None = None, *, force: bool = False,
                     replaceable: Callable[[Path], bool] | None = None) -> Path | None:
    """Refuse to replace a file that is not an earlier output of ``kind`` (unless ``force``); returns the
    backup made, if any.

    ``kind`` is what the command writes (:data:`.ownership.KINDS`): an existing workbook of that kind
    is replaced without asking. ``replaceable(path)`` says so instead for other files: the tool's own
    PDF report; nothing (``lambda p: False``) for the template.
    """
    target = Path(target)
    if target.is_dir():
        raise WorkbookError(f"{shown(target)} is a folder; give the results a file name, e.g. "
                            f"-o {shown(target)}/Results.xlsx.")
    if not os.path.lexists(target):
        return None
    real = Path(os.path.realpath(target))
    if real.exists() and not real.is_file():
        raise WorkbookError(f"{shown(target)} is not a regular file; choose another output name with -o.")
    if not real.exists():
        return None
    if replaceable is not None:
        if replaceable(real):
            return None
        found = None
    else:
        if kind is None:
            raise ValueError("check_new_output needs the kind of output written, or replaceable")
        found = output_kind(real)
        if found == kind:
            return None
    if not force and found is not None:
        raise WorkbookError(f"{shown(target)} is {_a(found)} infusion-billing wrote, and {_a(kind)} replaces only an "
                            f"earlier {kind}; choose another name with -o, or add --force to replace it (a backup copy "
                            "is kept).")
    if not force:
        raise WorkbookError(f"{shown(target)} already exists and was not written by infusion-billing; choose another "
                            "name with -o, or add --force to replace it (a backup copy is kept).")
    return backup_copy(real)


def _a(noun: str | None) -> str:
    return f"{'an' if (noun or 'x')[0] in 'aeiou' else 'a'} {noun}"


def check_output_folder(path: Path, option: str) -> None:
    """Refuse a path to write whose folder does not exist: one sentence instead of new folders.

    A biller who mistypes a folder (``-o Novmber/results.xlsx``) expects to be told, not to find the
    results later in a folder the tool made up. So the tool makes only what it is told to make: the
    file named by ``-o`` or ``--pdf``, or the folder named by ``--out-dir`` (made when missing), and
    never the folders above it. ``option`` is the command-line option the path came with.
    """
    parent = Path(path).parent
    if str(parent) in ("", ".") or parent.is_dir():
        return
    if parent.exists():
        raise WorkbookError(f"{shown(parent, whole=True)} is not a folder, so {option} {shown(path)} cannot be "
                            "written there.")
    raise WorkbookError(f"The folder {shown(parent, whole=True)} does not exist; create it first or correct the path "
                        f"given with {option}.")


def writable_in_place(book_path: Path) -> Path:
    """The file ``--in-place`` really writes (a symbolic link's target), refused when read-only."""
    real = Path(os.path.realpath(book_path))
    mode = real.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        raise WorkbookError(f"{shown(book_path)} is read-only, so --in-place will not replace it; make it writable "
                            "or write the results to a new file with -o.")
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise WorkbookError(f"The folder holding {shown(book_path)} cannot be written to, so --in-place cannot save "
                            "beside it; write the results to a new file with -o.")
    return real


def output_mode(input_path: Path | None, target: Path) -> int:
    """Permission bits for a new output: those it would get anyway, never more than the input's."""
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    if input_path is not None:
        mode &= Path(input_path).stat().st_mode & 0o777
    return mode


# ----------------------------------------------------------------------------- backups


def backup_copy(path: Path, now: datetime | None = None) -> Path:
    """Copy ``path`` to ``<name>.backup-YYYYmmdd-HHMMSS<ext>`` beside it (``-2``, ``-3`` ... when taken).

    The copy is created exclusively, so two runs in the same second never share a backup, and the
    name is shortened to what the file system allows. Returns the backup's path.
    """
    path = Path(path)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    limit = _name_max(path.parent)
    n = 1
    while True:
        tail = f".backup-{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}"
        stem = _fit(path.stem, limit - len(os.fsencode(tail)))
        backup = path.with_name(stem + tail)
        try:
            with open(path, "rb") as src, open(backup, "xb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except FileExistsError:
            n += 1
            continue
        except OSError as exc:
            if os.path.exists(backup) and not os.path.samefile(backup, path):
                os.unlink(backup)
            raise WorkbookError(os_error_sentence(exc, backup, "the backup copy")) from None
        shutil.copystat(path, backup)
        return backup


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def _fit(stem: str, room: int) -> str:
    """``stem`` cut (at a character boundary) to ``room`` bytes of file name."""
    while stem and len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return stem or "workbook"


# ----------------------------------------------------------------------------- writing


def save_atomically(book, target: Path, mode: int | None = None) -> None:
    """Save ``book`` (anything with ``save(path)``) to a private temporary file in the target's folder,
    then rename it over the target: a crash or a full disk never leaves half a workbook behind.

    ``mode`` gives the finished file's permission bits (default: the replaced file's, else what a new
    file gets under the umask). A symbolic link is written through: the file it points at is replaced.
    """
    target = Path(os.path.realpath(target)) if os.path.islink(target) else Path(target)
    if target.is_dir():
        raise WorkbookError(f"{shown(target)} is a folder; give the results a file name.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temp_files(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_FILE_PREFIX}{os.getpid()}-", suffix=target.suffix,
                                   dir=target.parent)  # created 0600: it holds patient sheets
        os.close(fd)
    except OSError as exc:
        raise WorkbookError(os_error_sentence(exc, target)) from None
    try:
        book.save(tmp)
        os.chmod(tmp, output_mode(None, target) if mode is None else mode)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise WorkbookError(os_error_sentence(exc, target)) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def os_error_sentence(exc: OSError, target: Path, what: str = "") -> str:
    """One sentence for a file-system error met while writing ``target``."""
    name = what or shown(target)
    folder = shown(Path(target).parent) if str(Path(target).parent) not in ("", ".") else "the current folder"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"The disk is full, so {name} was not written; free some space and run again."
    if code == errno.EFBIG:
        return f"{name} would be larger than this system allows a file to be, so it was not written."
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"The folder {folder} cannot be written to (permission denied), so {name} was not written; " \
               "choose another folder with -o."
    if code == errno.ENAMETOOLONG:
        return f"The file name for {name} is too long for this system; choose a shorter name."
    if code == errno.ENOENT:
        return f"The folder for {name} does not exist and could not be made."
    return f"{name} could not be written ({exc.strerror or type(exc).__name__})."


# ----------------------------------------------------------------------------- leftovers


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _stale(name: str, prefix: str, mtime: float) -> bool:
    rest = name[len(prefix):]
    pid = rest.split("-", 1)[0]
    if pid.isdigit() and "-" in rest:
        return not _pid_alive(int(pid))
    return time.time() - mtime > STALE_AFTER


def clean_stale_temp_files(folder: Path) -> None:
    """Remove this tool's temporary files in ``folder`` that a killed run left behind."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_FILE_PREFIX):
            try:
                if entry.is_file(follow_symlinks=False) and _stale(entry.name, TEMP_FILE_PREFIX,
                                                                   entry.stat(follow_symlinks=False).st_mtime):
                    os.unlink(entry.path)
            except OSError:
                pass


def clean_stale_work_folders() -> None:
    """Remove the work folders (``ib-out-*`` in the system temp folder) that a killed run left behind."""
    root = tempfile.gettempdir()
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_DIR_PREFIX):
            try:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and \
                        _stale(entry.name, TEMP_DIR_PREFIX, st.st_mtime):
                    shutil.rmtree(entry.path, ignore_errors=True)
            except OSError:
                pass


def work_folder() -> tempfile.TemporaryDirectory:
    """A private temporary folder for sheet XML being written (removed when closed, or by the next run)."""
    clean_stale_work_folders()
    return tempfile.TemporaryDirectory(prefix=f"{TEMP_DIR_PREFIX}{os.getpid()}-")
