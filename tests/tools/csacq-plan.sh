# csacq off the VM: help, version, usage errors and bad plans (2, the line
# named, no run directory made), an existing run directory and no IIO
# device (1) with a message; runs themselves are tested in
# tests/vm/guest/acq-run.sh. And fbgtrack --run on a run that is not one.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/csacq" --help | grep -q '^Usage: csacq'
"$BIN/csacq" --version | grep -q '^csacq (cellsense) '
expect 2 "unrecognized option" "$BIN/csacq" --frobnicate
expect 2 "one plan file expected, got 0" "$BIN/csacq"
expect 2 "duration" "$BIN/csacq" -t -1 "$SRC/docs/plans/sim-cell.plan"
expect 1 "nope.plan" "$BIN/csacq" "$TMPDIR/nope.plan"

cd "$TMPDIR"
sed 's/^buffer = 10 /bufer = 10 /' "$SRC/docs/plans/sim-cell.plan" >typo.plan
expect 2 "typo.plan: line 24: \[frontend\] has no key 'bufer'" \
	"$BIN/csacq" -o run-typo typo.plan
[ ! -e run-typo ] || { echo "a bad plan made a run directory"; exit 1; }
sed '/^id = /d' "$SRC/docs/plans/sim-cell.plan" >noid.plan
expect 2 "\[cell\] has no id" "$BIN/csacq" -o run-noid noid.plan
sed 's/^frontend = electrodes/frontend = electrode/' \
	"$SRC/docs/plans/sim-cell.plan" >ref.plan
expect 2 "\[sensor reference\]: frontend 'electrode' is no \[frontend\]" \
	"$BIN/csacq" -o run-ref ref.plan

mkdir exists
expect 1 "exists: run directory: File exists" \
	"$BIN/csacq" -o exists "$SRC/docs/plans/sim-cell.plan"
# no IIO here: the context is empty or missing, said either way
expect 1 "no IIO device labelled or named 'fbg0'\|libiio context local:" \
	"$BIN/csacq" -o run-nodev "$SRC/docs/plans/sim-cell.plan"

expect 1 "run.jsonld: No such file" "$BIN/fbgtrack" --run "$TMPDIR"
echo '{"start": {}' >run.jsonld
expect 1 "run.jsonld: not JSON" "$BIN/fbgtrack" --run "$TMPDIR"
echo '{"start": {}, "descriptors": []}' >run.jsonld
expect 1 "the run has no fbg stream" "$BIN/fbgtrack" --run "$TMPDIR"
expect 1 "the run has no re stream" "$BIN/refmon" --run "$TMPDIR"
cp "$SRC/fuzz/seeds/sidecar/interrupted" run.jsonld
printf abc >fibre.raw
expect 2 "no FILE with it" "$BIN/fbgtrack" --run "$TMPDIR" somefile
printf abd >fibre.raw
expect 1 "SHA-256" "$BIN/fbgtrack" --run "$TMPDIR"
