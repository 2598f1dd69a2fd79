#!/bin/sh
# selftest-warn.sh - all checks pass, but a kernel-style "WARNING:" line
# lands in the kernel log (written through /dev/kmsg): run.sh must fail it.
# Used by tests/vm/selftest.sh; never part of a normal run.
. /tests/lib.sh
pass selftest-warn
echo "WARNING: CPU: 0 PID: 1 at selftest-warn.sh:1 fake warning for the harness self-test" >/dev/kmsg
