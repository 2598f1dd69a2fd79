# ustof --run DIR: a csacq run's us stream read back from its sidecar (a
# run directory made by hand: the raw file as cellsense_us writes it, with
# shot headers and timestamps, at 40 MS/s, and a sidecar saying so with
# its SHA-256) gives the same records as ustof given that layout by hand;
# an option after --run overrides it. A layout that does not add up to
# the recorded scan size, a file that is not the recorded one, a FILE
# beside --run and a run without a us stream are refused, named.
set -eu
. "$SRC/tests/tools/common/expect.sh"
cd "$TMPDIR"
mkdir run
"$BIN/ussim" -n 1024 -F 40000000 -N 20 -r 50 -H -T -e 10.013:6000 \
	-e 20.5:-2500 --drift 0.5 --noise 30 --pulse-out pulse >run/us.raw
bytes=$(wc -c <run/us.raw)
[ "$bytes" -eq $((20 * (2048 + 256 + 256))) ] ||
	{ echo "ussim wrote $bytes bytes"; exit 1; }
sha=$(sha256sum run/us.raw | cut -d' ' -f1)
sidecar() {	# $1: scan_bytes, $2: sha256
	cat <<EOF
{"@context": {}, "start": {"sensors": []},
 "descriptors": [{"name": "pulser", "kind": "us", "device": "us1",
  "file": "us.raw", "encodingFormat": "application/octet-stream",
  "layout": {"format": "le:s16/16>>0", "samples": 1024, "block": 128,
   "scan_bytes": $1, "timestamps": true, "index": true,
   "rate_hz": 40000000.0, "scales": [1, 1, 1, 1]}}],
 "stop": {"exit_status": "success", "reason": "duration",
  "num_events": {"pulser": 20},
  "files": [{"contentUrl": "us.raw", "contentSize": $bytes,
   "sha256": "$2"}]}}
EOF
}
sidecar 2560 "$sha" >run/run.jsonld
gates="-g t0:5:15 -g t1:17:24 --polarity any"
# shellcheck disable=SC2086
"$BIN/ustof" --run run -p pulse $gates >byrun.tsv 2>byrun.err
# shellcheck disable=SC2086
"$BIN/ustof" -n 1024 -f le:s16 -F 40000000 -H -T -s us1 -p pulse $gates \
	run/us.raw >byhand.tsv
cmp byrun.tsv byhand.tsv || { diff byrun.tsv byhand.tsv | head; exit 1; }
n=$(grep -c '	tof	.*	ok	' byrun.tsv)
[ "$n" -eq 40 ] || { echo "$n ok tof records of 40"; cat byrun.err; exit 1; }
grep -q '^[0-9]*	us1/t0	tof	' byrun.tsv
# times from the timestamps (ussim -r 50: 20 ms apart), tof at 40 MS/s
awk -F '\t' '$2 == "us1/t0" && $3 == "tof" { n++
		if (n == 2 && $1 - t != 20000000) { print "step " $1 - t; bad = 1 }
		if (n == 1 && ($4 < 10003 || $4 > 10023)) { print "tof " $4; bad = 1 }
		t = $1 }
	END { exit bad }' byrun.tsv
# an option after --run overrides the sidecar's
# shellcheck disable=SC2086
"$BIN/ustof" --run run -s other -p pulse $gates | grep -q '	other/t1	tof	'

# refused, named
sidecar 2304 "$sha" >run/run.jsonld
expect 1 "sidecar says 2304 bytes a scan, but -n 1024, -f le:s16/16>>0, -H, -T make 2560" \
	"$BIN/ustof" --run run -p pulse -g t0:5:15
sidecar 2560 "$sha" >run/run.jsonld
expect 2 "no FILE with it" "$BIN/ustof" --run run -p pulse -g t0:5:15 run/us.raw
sidecar 2560 "$(printf %064d 0)" >run/run.jsonld
expect 1 "SHA-256" "$BIN/ustof" --run run -p pulse -g t0:5:15
sed 's/"kind": "us"/"kind": "re"/' run/run.jsonld >run/x && mv run/x run/run.jsonld
expect 1 "the run has no us stream" "$BIN/ustof" --run run -p pulse -g t0:5:15
