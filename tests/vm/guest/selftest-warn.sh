#!/bin/sh
# selftest-warn.sh - all checks pass, but a kernel-style "WARNING:" line
# lands in the kernel log (written through /dev/kmsg): run.sh must fail it.
# Used by tests/vm/selftest.sh; never part of a normal run.
. /tests/lib.sh
pass selftest-warn
echo "WARNING: CPU: 0 PID: 1 at selftest-warn.sh:1 fake warning for the harness self-test" >/dev/kmsg
# the debug kernel's checkers report without "WARNING:" (run-debug.sh)
echo "INFO: trying to register non-static key (fake lockdep report for the harness self-test)" >/dev/kmsg
echo "unreferenced object 0xffff888000000000 (size 64): (fake kmemleak report for the harness self-test)" >/dev/kmsg
