# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The name locks: one writer per name, and a lock directory another local user cannot hijack.

Three attacks of a local user on the shared temporary directory, each refused with nothing written through it: the
lock directory created first by another user (mode 0777), the lock directory replaced by a symbolic link, a lock file
replaced by a symbolic link to a file the victim can write.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile

import pytest

from ansible_collections.ddops.datadog.plugins.module_utils import _locks
from ansible_collections.ddops.datadog.plugins.module_utils._action_connection import _creation_lock
from ansible_collections.ddops.datadog.plugins.module_utils._errors import TaskFailure
from ansible_collections.ddops.datadog.tests.unit.plugins.fake_client import FakeClient

OTHER_UID = 4242


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """A temporary directory of the test's own, as the one ``tempfile.gettempdir()`` returns."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: everyone may create entries
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    return shared


def lock_path(temp_dir):
    return temp_dir / ("ddops.datadog-locks-%d" % os.geteuid())


def lock_file_name(scope, name):
    return hashlib.sha256(("%s\0%s" % (scope, name)).encode("utf-8")).hexdigest()[:40]


def test_the_lock_directory_is_created_private_and_the_lock_records_creates(temp_dir):
    with _locks.name_lock("org", "Prod AWS") as lock:
        assert lock.last_change() == 0.0 and lock.changed_since(None) and not lock.changed_since(0.0)
        lock.mark()
        assert lock.changed_since(0.0)
    directory = lock_path(temp_dir)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and directory.stat().st_uid == os.geteuid()
    lock_file = directory / lock_file_name("org", "Prod AWS")
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    assert "Prod AWS" not in os.listdir(str(directory))  # the file is named by a hash
    with _locks.name_lock("org", "Prod AWS") as lock:
        assert lock.last_change() > 0  # what the earlier holder recorded


def owned_by_someone_else(path, monkeypatch):
    """Make ``path`` another user's: for real as root, else by making this process look like another user."""
    if os.geteuid() == 0:
        os.chown(str(path), OTHER_UID, OTHER_UID)
        return OTHER_UID
    real = os.geteuid()
    monkeypatch.setattr(_locks.os, "geteuid", lambda: real + 1)
    return real


def test_a_lock_directory_created_first_by_another_user_with_mode_0777_is_refused_and_left_untouched(temp_dir, monkeypatch):
    directory = temp_dir / ("ddops.datadog-locks-%d" % os.geteuid())
    directory.mkdir()
    directory.chmod(0o777)
    owner = owned_by_someone_else(directory, monkeypatch)
    directory = temp_dir / ("ddops.datadog-locks-%d" % _locks.os.geteuid())
    if not directory.exists():  # not root: the process now looks like another user, whose directory is this one
        (temp_dir / ("ddops.datadog-locks-%d" % os.getuid())).rename(directory)
    with pytest.raises(_locks.LockDirectoryError) as error:
        with _locks.name_lock("org", "Prod AWS"):
            pytest.fail("the lock was taken in another user's directory")
    message = str(error.value)
    assert str(directory) in message and "belongs to user ID %d" % owner in message
    assert "nothing was written into it" in message and "Remove it" in message
    assert os.listdir(str(directory)) == []
    assert stat.S_IMODE(directory.stat().st_mode) == 0o777  # not "fixed" either: it is not ours


def test_a_lock_directory_of_this_user_open_to_others_is_refused(temp_dir):
    directory = lock_path(temp_dir)
    directory.mkdir()
    directory.chmod(0o777)
    with pytest.raises(_locks.LockDirectoryError, match=r"has mode 0777: others may use it"):
        with _locks.name_lock("org", "Prod AWS"):
            pytest.fail("the lock was taken in a directory open to everyone")
    assert os.listdir(str(directory)) == []


def test_a_lock_directory_replaced_by_a_symbolic_link_is_refused_and_nothing_is_written_where_it_points(temp_dir, tmp_path):
    target = tmp_path / "attacker"
    target.mkdir(mode=0o700)  # even a private directory of this user: a link is never followed
    lock_path(temp_dir).symlink_to(target)
    with pytest.raises(_locks.LockDirectoryError) as error:
        with _locks.name_lock("org", "Prod AWS"):
            pytest.fail("the lock was taken through a symbolic link")
    assert "is a symbolic link" in str(error.value) and str(lock_path(temp_dir)) in str(error.value)
    assert os.listdir(str(target)) == []


def test_a_lock_file_replaced_by_a_symbolic_link_is_refused_and_its_target_is_not_truncated(temp_dir, tmp_path):
    with _locks.name_lock("org", "other name"):
        pass  # the directory now exists, as it should
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = lock_path(temp_dir) / lock_file_name("org", "Prod AWS")
    link.symlink_to(victim)
    missing = tmp_path / "not-there.txt"
    (lock_path(temp_dir) / lock_file_name("org", "Other")).symlink_to(missing)
    for name in ("Prod AWS", "Other"):
        with pytest.raises(_locks.LockDirectoryError, match="symbolic link %s" % lock_file_name("org", name)):
            with _locks.name_lock("org", name) as lock:
                lock.mark()
    assert victim.read_text() == "precious\n" and not missing.exists()


def test_a_create_refused_by_the_lock_directory_fails_naming_the_connection_and_the_directory(temp_dir):
    directory = lock_path(temp_dir)
    directory.mkdir()
    directory.chmod(0o755)
    with pytest.raises(TaskFailure) as error:
        with _creation_lock(FakeClient(), {"name": "Prod AWS"}):
            pytest.fail("created without a safe lock")
    assert str(error.value).startswith("Failed to create action connection 'Prod AWS': the name lock directory %s has "
                                       "mode 0755" % directory)
