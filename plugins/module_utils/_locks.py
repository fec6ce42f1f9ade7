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

The lock works between processes of one machine: Ansible's forks and the module processes of ``connection: local``
tasks, on both execution paths. Tasks on different machines (two controllers, or modules running on remote hosts)
do not see each other's locks; docs/action-connections.md says what that leaves possible.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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


def lock_directory():
    """A directory of this user's own for the lock files (created with mode 0700)."""
    path = os.path.join(tempfile.gettempdir(), "ddops.datadog-locks-%d" % os.getuid())
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


@contextlib.contextmanager
def name_lock(scope, name, wait=DEFAULT_WAIT, sleep=time.sleep, clock=time.monotonic):
    """Hold the lock of ``name`` within ``scope`` (the org: its API URL and key fingerprint) while the block runs.

    Raises :class:`LockTimeout` after ``wait`` seconds. The file name is a hash: neither the name nor the keys are
    written anywhere.
    """
    if fcntl is None:
        yield NameLock(None)
        return
    digest = hashlib.sha256(("%s\0%s" % (scope, name)).encode("utf-8")).hexdigest()[:40]
    path = os.path.join(lock_directory(), digest)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+") as handle:
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
