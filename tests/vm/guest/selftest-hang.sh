#!/bin/sh
# selftest-hang.sh - never finishes: run.sh's timeout must fail it.
. /tests/lib.sh
pass selftest-started
while :; do sleep 1; done
