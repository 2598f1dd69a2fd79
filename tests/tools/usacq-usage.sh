# usacq off the VM: help, version, usage errors (2), and no IIO device (1)
# with a message; the acquisition itself is tested in tests/vm/guest.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/usacq" --help | grep -q '^Usage: usacq'
"$BIN/usacq" --version | grep -q '^usacq (cellsense) '
expect 2 "unrecognized option" "$BIN/usacq" --frobnicate
expect 2 "not a multiple of 128" "$BIN/usacq" -n 200
expect 1 "no IIO device with label or name 'no-such-device'\|/sys/bus/iio/devices" \
	"$BIN/usacq" -d no-such-device
