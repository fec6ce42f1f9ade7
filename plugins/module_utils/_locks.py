# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One writer per action connection name on a machine: a lock file per (org, name).

Internal use only: not part of the collection's public interface. Plain Python, no Ansible imports.

Several tasks converging the same connection name at once (hosts of one play with ``forks`` > 1, or two playbooks)
would all read "no such connection" and all create it. Every task that is about to create takes the name's lock
(``fcntl.flock`` on a file in a directory of the user's own under the temporary directory), so creates of one name
happen one after another. The lock file also records when a connection of that name was last created or adopted
under it: a task that read the connection list before that moment reads it again before deciding to create.

The directory is used only when it is a real directory (not a link), owned by the effective user and closed to
everyone else (mode 0700); lock files are opened without following links. Another local user who created the
directory first, or put a link where it or a lock file belongs, could otherwise hold the locks or make a task write
through the link: such a directory is refused, naming it and what to do, and nothing is written into it.

The lock works between processes of one machine: Ansible's forks and the module processes of ``connection: local``
tasks, on both execution paths. Tasks on different machines (two controllers, or modules running on remote hosts)
do not see each other's locks; docs/action-connections.md says what that leaves possible.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: no locking, as before
    fcntl = None

#: How long a task waits for another task creating the same name before it gives up (seconds).
DEFAULT_WAIT = 600.0


class LockTimeout(Exception):
    """Another task held the name's lock for longer than the wait allowed."""


class NameLock(object):
    """The lock of one (org, name), held. :meth:`changed_since` and :meth:`mark` use the time recorded in the file."""

    def __init__(self, handle):
        self._handle = handle

    def last_change(self):
        """When a connection of this name was last created or adopted under the lock (``time.time()``), or 0."""
        if self._handle is None:
            return 0.0
        self._handle.seek(0)
        try:
            return float(self._handle.read().strip() or 0)
        except ValueError:
            return 0.0

    def changed_since(self, moment):
        return moment is None or self.last_change() > moment

    def mark(self):
        """Record that a connection of this name now exists (this task created or adopted it)."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write("%.6f\n" % time.time())
        self._handle.flush()


#: The lock directory in the temporary directory (``%d``: the effective user ID).
DIRECTORY = "ddops.datadog-locks-%d"


class LockDirectoryError(Exception):
    """The lock directory, or a lock file in it, is not safe to use; nothing was written into it."""


def lock_directory():
    """The path of this user's lock directory (``<temp dir>/ddops.datadog-locks-<euid>``)."""
    return os.path.join(tempfile.gettempdir(), DIRECTORY % os.geteuid())


def _refuse(path, problem, fix):
    return LockDirectoryError("the name lock directory %s %s; nothing was written into it. %s" % (path, problem, fix))


def _open_directory(path):
    """A descriptor of the lock directory, created (mode 0700) if missing; refused unless it is a real directory (not
    a link), owned by this user and closed to everyone else. Checked on the descriptor, so it cannot be swapped between
    the check and the use."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            kind = "is a symbolic link" if os.path.islink(path) else "is not a directory"
            raise _refuse(path, kind, "Remove it (another user may have put it there) or set TMPDIR to a directory "
                                      "of your own") from None
        raise _refuse(path, "cannot be opened (%s)" % exc.strerror, "Set TMPDIR to a directory of your own") from None
    info = os.fstat(fd)
    problem = None
    if info.st_uid != os.geteuid():
        problem = "belongs to user ID %d, not to this user (%d)" % (info.st_uid, os.geteuid())
    elif stat.S_IMODE(info.st_mode) & 0o077:
        problem = "has mode %04o: others may use it" % stat.S_IMODE(info.st_mode)
    if problem is not None:
        os.close(fd)
        raise _refuse(path, problem, "Remove it (another user may have created it to interfere) or make it yours with "
                                     "mode 0700, or set TMPDIR to a directory of your own")
    return fd


def _open_lock_file(name):
    """The lock file ``name`` in the lock directory, opened for reading and writing (created mode 0600), never through
    a symbolic link."""
    directory = lock_directory()
    dir_fd = _open_directory(directory)
    try:
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _refuse(directory, "holds a symbolic link %s where a lock file belongs" % name,
                              "Remove the link") from None
            raise
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            os.close(fd)
            raise _refuse(directory, "holds %s, which is not a lock file of this user" % name, "Remove it")
        return fd
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def name_lock(scope, name, wait=DEFAULT_WAIT, sleep=time.sleep, clock=time.monotonic):
    """Hold the lock of ``name`` within ``scope`` (the org: its API URL and key fingerprint) while the block runs.

    Raises :class:`LockTimeout` after ``wait`` seconds, :class:`LockDirectoryError` when the lock directory is not
    safe. The file name is a hash: neither the name nor the keys are written anywhere.
    """
    if fcntl is None:
        yield NameLock(None)
        return
    digest = hashlib.sha256(("%s\0%s" % (scope, name)).encode("utf-8")).hexdigest()[:40]
    with os.fdopen(_open_lock_file(digest), "r+") as handle:
        deadline = clock() + wait
        pause = 0.05
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if clock() >= deadline:
                    raise LockTimeout("another task kept creating the same action connection for more than %d seconds"
                                      % wait) from None
                sleep(pause)
                pause = min(pause * 2, 1.0)
        try:
            yield NameLock(handle)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
