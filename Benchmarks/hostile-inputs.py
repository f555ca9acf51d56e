#!/usr/bin/env python3
"""Runs memvault on the hostile inputs of docs/security.md ("Limits") and reports, per input,
the exit status, the wall time and the peak RSS of the memvault process (wait4).

    swift build -c release --product memvault
    python3 Benchmarks/hostile-inputs.py .build/release/memvault

Inputs: a 24 KB GFM table declaring 3,000 x 3,000 cells (check), 600 KB of `![[]()` (list),
200,000 distinct tags in one memory (list), a 100 MB month file (list; add starts a part without reading it). Each must answer with
one error in under a second and 200 MB.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/memvault")
home = tempfile.mkdtemp(prefix="memvault-hostile-")
root = os.path.join(home, "vault")
env = dict(os.environ, HOME=home, MEMVAULT_DIR=root, GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
subprocess.run([binary, "init", root, "--user", "alice"], env=env, check=True, capture_output=True)
month = os.path.join(root, "alice/general/2026-11.md")
heading = "## 2026-11-22 10:00\n<!-- id: 01JD3K9X2F7Q8R3M -->\n\n"


def plant(kind):
    if kind == "table":
        with open(month, "w") as out:
            out.write(heading + "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n" + "|\n" * 3000)
        return ["check"]
    if kind == "brackets":
        with open(month, "w") as out:
            out.write(heading + "![[]()" * 100000 + "\n")
        return ["list"]
    if kind == "tags":
        with open(month, "w") as out:
            out.write(heading + " ".join("#t%d" % i for i in range(200000)) + "\n")
        return ["list"]
    chunk = "".join("## 2026-11-01 10:00\n\nan ordinary memory, number %d, with some words in it\n\n" % n for n in range(15000))
    with open(month, "w") as out:
        while out.tell() < 100 << 20:
            out.write(chunk)
    # add no longer reads a month file past 4 MiB (a new memory starts 2026-11.part2.md): list reads it.
    return ["list"]


try:
    for kind in ["table", "brackets", "tags", "month-100MB"]:
        args = plant(kind)
        errors = os.path.join(home, "stderr")
        start = time.monotonic()
        pid = os.posix_spawn(binary, [binary] + args, env, file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])
        _, status, usage = os.wait4(pid, 0)
        seconds = time.monotonic() - start
        with open(errors) as handle:
            first = (handle.read().strip().splitlines() or [""])[0]
        print("%-12s %11d bytes  memvault %-5s  exit %d  %6.3f s  %4.0f MB  %s" % (
            kind, os.path.getsize(month), args[0], os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, first[:100]))
finally:
    shutil.rmtree(home, ignore_errors=True)
