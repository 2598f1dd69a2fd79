#!/bin/sh
# selftest-fail.sh - must make run.sh fail: one passing and one failing check.
# Used by tests/vm/selftest.sh; never part of a normal run.
. /tests/lib.sh
check selftest-true true
check selftest-false false
exit 0
