"""Starts one function instance of the faasport runtime inside a sandbox, then becomes it (exec).

    python3 sandbox.py '<json policy>' command [args...]
    python3 sandbox.py --probe        prints {"abi": Landlock ABI (0: none), "prefixes": [...], "executable": ...}

The policy: {"read": [paths], "write": [paths], "uid": n, "gid": n, "dropCaps": bool}.
- Landlock (Linux >= 5.13, unprivileged): the instance and everything it starts may read only the
  `read` paths and write only the `write` paths; it cannot ptrace or read /proc/<pid>/environ of
  processes outside its sandbox (the runtime, other instances), and from Landlock ABI 6 it cannot
  signal them. Sources: https://docs.kernel.org/userspace-api/landlock.html, include/uapi/linux/landlock.h.
- Credentials: with "uid"/"gid" (the runtime runs as root) the instance runs as that user; with
  "dropCaps" it keeps uid 0 but loses every capability (an empty bounding set before exec).
- prctl: no_new_privs (setuid programs cannot regain privileges), child subreaper (processes the
  instance starts stay its descendants even when their parent exits, so the runtime finds and stops
  them), parent-death signal (the instance dies with the runtime).
"""

import ctypes
import json
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13
TRUNCATE = 1 << 14
IOCTL_DEV = 1 << 15
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ_RIGHTS = EXECUTE | READ_FILE | READ_DIR

libc = ctypes.CDLL(None, use_errno=True)


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi():
    version = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return version if version > 0 else 0


def handled_rights(version):
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def fail(message):
    sys.stderr.write("faasport sandbox: %s\n" % message)
    sys.exit(126)


def landlock(version, read, write):
    handled = handled_rights(version)
    attr = RulesetAttr(handled, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0)
    size = 24 if version >= 6 else 16 if version >= 4 else 8
    ruleset = libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        fail("landlock_create_ruleset: %s" % os.strerror(ctypes.get_errno()))
    for paths, rights in ((read, READ_RIGHTS), (write, handled)):
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # A system folder this machine does not have.
            allowed = rights & handled
            if not os.path.isdir(path):
                allowed &= FILE_RIGHTS
            rule = PathBeneathAttr(allowed, fd)
            if libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                            ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                fail("landlock_add_rule %s: %s" % (path, os.strerror(ctypes.get_errno())))
            os.close(fd)
    return ruleset


def prctl(option, arg):
    return libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                      ctypes.c_ulong(0))


def main():
    if sys.argv[1:] == ["--probe"]:
        prefixes = sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
        print(json.dumps({"abi": abi(), "prefixes": prefixes, "executable": sys.executable}))
        return
    policy = json.loads(sys.argv[1])
    command = sys.argv[2:]
    parent = os.getppid()
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    version = abi()
    ruleset = landlock(version, policy.get("read", []), policy.get("write", [])) if version else -1
    if policy.get("uid") is not None:
        os.setgroups([])
        os.setgid(policy["gid"])
        os.setuid(policy["uid"])
    elif policy.get("dropCaps"):
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
        for cap in range(64):
            prctl(PR_CAPBSET_DROP, cap)
    # Set after the credentials change, which clears it.
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(1)
    if prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
        fail("no_new_privs: %s" % os.strerror(ctypes.get_errno()))
    if ruleset >= 0:
        if libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            fail("landlock_restrict_self: %s" % os.strerror(ctypes.get_errno()))
        os.close(ruleset)
    try:
        os.execvp(command[0], command)
    except OSError as error:
        fail("cannot run %s: %s" % (command[0], error.strerror))


main()
