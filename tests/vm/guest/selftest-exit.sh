#!/bin/sh
# selftest-exit.sh - must make run.sh fail: passes a check, then an unchecked
# command fails under set -e (no FAIL line: only the exit status tells).
set -e
. /tests/lib.sh
pass selftest-before
false
pass selftest-unreachable
