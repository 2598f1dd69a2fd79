# usacq off the VM: help, version, usage errors (2), and no IIO device (1)
# with a message; the acquisition itself is tested in tests/vm/guest.
set -eu
"$BIN/usacq" --help | grep -q '^Usage: usacq'
"$BIN/usacq" --version | grep -q '^usacq (cellsense) '
set +e
"$BIN/usacq" --frobnicate 2>"$TMPDIR/e"; rc=$?
[ $rc -eq 2 ] && grep -q "unrecognized option" "$TMPDIR/e" || exit 1
"$BIN/usacq" -n 200 2>"$TMPDIR/e"; rc=$?
[ $rc -eq 2 ] && grep -q "not a multiple of 128" "$TMPDIR/e" || exit 1
"$BIN/usacq" -d no-such-device 2>"$TMPDIR/e"; rc=$?
set -e
[ $rc -eq 1 ]
grep -q "no IIO device with label or name 'no-such-device'\|/sys/bus/iio/devices" "$TMPDIR/e"
