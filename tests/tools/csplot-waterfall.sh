# csplot --waterfall: ussim's shots (driver layout: shot header and
# timestamp) stacked as an image with ustof's gates and tof records drawn
# over it. The SVG's embedded image has one pixel per kept row and column,
# the gates' edges and the tof lines sit where they belong on the
# A-scan axis and span the shots; a long stream is decimated to the
# picture's size; bad input is named. Then --potentials on refmon's
# records of a cold charge: a panel per electrode, the threshold lines and
# the alarm onsets in the anode's.
set -eu
. "$SRC/tests/tools/common/expect.sh"
svgplot() { python3 "$SRC/tests/tools/common/svgplot.py" "$@"; }
# line NAME FIELD: field FIELD (3: x min, 4: x max, 5, 6: y) of NAME's line
line() { awk -F'\t' -v n="$2" -v f="$3" '$1 == "line" && $2 == n { print $f }' "$1"; }
near() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { e = a - b; exit !(e < d && -e < d) }' ||
	{ echo "$4: $1, wanted $2 +- $3"; exit 1; }; }

"$BIN/ussim" -N 60 -r 20 -e 10.013:6000 -e 27.3:-2500 --drift 2 --noise 30 \
	-H -T --pulse-out "$TMPDIR/pulse" >"$TMPDIR/a.bin"
"$BIN/ustof" -H -T -p "$TMPDIR/pulse" -g e0:5:15 -g e1:22:32 --polarity any \
	-q tof "$TMPDIR/a.bin" >"$TMPDIR/r.tsv" 2>/dev/null

"$BIN/csplot" --waterfall -H -T -g e0:5:15 -g e1:22:32 -r "$TMPDIR/r.tsv" \
	-o "$TMPDIR/w.svg" "$TMPDIR/a.bin" 2>"$TMPDIR/e"
cat "$TMPDIR/e"
grep -q '60 shots in 60 rows x 512 columns (1 shots a row, 2 samples a column), 2 gates, 120 tof records of 2 sources; 0 bad shots' "$TMPDIR/e"
# 1024 samples at 20 MHz: the A-scan axis is 0..51.2 us
svgplot "$TMPDIR/w.svg" 51.2 >"$TMPDIR/p"
cat "$TMPDIR/p"
grep -qx 'image 512 60' "$TMPDIR/p"
near "$(line "$TMPDIR/p" 'gate e0' 3)" 5 0.05 "gate e0 start"
near "$(line "$TMPDIR/p" 'gate e0' 4)" 15 0.05 "gate e0 end"
near "$(line "$TMPDIR/p" 'gate e1' 3)" 22 0.05 "gate e1 start"
# ustof's tof lines: at the echoes, drifting 2 ns a shot (0.118 us over
# 59 shots), from the first shot's row to the last's
near "$(line "$TMPDIR/p" us0/e0 3)" 10.013 0.02 "us0/e0 first tof"
near "$(line "$TMPDIR/p" us0/e0 4)" 10.131 0.02 "us0/e0 last tof"
near "$(line "$TMPDIR/p" us0/e1 3)" 27.3 0.02 "us0/e1 first tof"
for s in us0/e0 us0/e1; do
	near "$(line "$TMPDIR/p" $s 5)" 0.008 0.01 "$s top"
	near "$(line "$TMPDIR/p" $s 6)" 0.992 0.01 "$s bottom"
done

# a long stream through a pipe, a small picture: decimated to its size
"$BIN/ussim" -N 3000 -r 20 -e 10.013:6000 --noise 30 >"$TMPDIR/long.bin"
"$BIN/csplot" --waterfall --width 300 --panel-height 100 -o "$TMPDIR/l.svg" \
	<"$TMPDIR/long.bin" 2>"$TMPDIR/e"
cat "$TMPDIR/e"
grep -q '3000 shots in 94 rows x 256 columns (32 shots a row, 4 samples a column)' "$TMPDIR/e"
svgplot "$TMPDIR/l.svg" 51.2 | grep -qx 'image 256 94'

# PNG
"$BIN/csplot" --waterfall -o "$TMPDIR/w.png" "$TMPDIR/a.bin" -H -T 2>/dev/null
head -c 8 "$TMPDIR/w.png" | od -An -c | grep -q 'P   N   G'

# bad input: wrong sizes, a partial shot, NaN samples, text for binary
expect 3 "a.bin: .*not a whole number" "$BIN/csplot" --waterfall -n 1000 -o "$TMPDIR/x.svg" "$TMPDIR/a.bin"
head -c 5000 "$TMPDIR/long.bin" >"$TMPDIR/part.bin"
expect 3 "part.bin: input ends inside shot 2 at byte offset 4096 (904 of 2048 bytes" "$BIN/csplot" --waterfall -o "$TMPDIR/x.svg" "$TMPDIR/part.bin"
grep -q '2 shots in 2 rows' "$TMPDIR/e"
python3 -c 'import struct, sys
for s in range(4):
    v = [float(k % 7) for k in range(64)]
    if s == 2: v[10] = float("nan")
    sys.stdout.buffer.write(struct.pack("<64f", *v))' >"$TMPDIR/nan.bin"
expect 3 "nan.bin: .*shot 2.*not finite\|nan.bin: .*shot 2.*NaN" "$BIN/csplot" --waterfall -n 64 -f le:f32 -o "$TMPDIR/x.svg" "$TMPDIR/nan.bin"
grep -q '3 shots in 3 rows x 64 columns .* 1 bad shot' "$TMPDIR/e"
"$BIN/ustof" --help >"$TMPDIR/text.txt"
expect 1 "text.txt: text, not raw samples: -T is for" "$BIN/csplot" --waterfall -T -o "$TMPDIR/x.svg" "$TMPDIR/text.txt"
expect 1 "no shot to draw" "$BIN/csplot" --waterfall -o "$TMPDIR/x.svg" /dev/null
expect 2 "gate 'e0:15:5': END_US must be after START_US" "$BIN/csplot" --waterfall -g e0:15:5 -o "$TMPDIR/x.svg" "$TMPDIR/a.bin"
expect 2 "gate 'e0:5': expected NAME:START_US:END_US" "$BIN/csplot" --waterfall -g e0:5 -o "$TMPDIR/x.svg" "$TMPDIR/a.bin"
expect 2 "one of --spectrum, --waterfall, --potentials" "$BIN/csplot" --waterfall --spectrum -o "$TMPDIR/x.svg" "$TMPDIR/a.bin"
expect 2 "-H needs --waterfall" "$BIN/csplot" -H -o "$TMPDIR/x.svg" "$TMPDIR/r.tsv"
# records that are not records: named, the picture still drawn
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\n0\tus0/e0\ttof\tbanana\tns\tok\n' >"$TMPDIR/bad.tsv"
expect 3 "bad.tsv:2:4: .*line skipped" "$BIN/csplot" --waterfall -H -T -r "$TMPDIR/bad.tsv" -o "$TMPDIR/x.svg" "$TMPDIR/a.bin"
grep -q 'no ok tof record to draw' "$TMPDIR/e"

# --potentials: refmon on a cold cell stepped into plating at 2 s
"$BIN/resim" -N 4000 -T -t -10 --soc 0.7 --noise 0.001 -c 1 --step 2:5 |
	"$BIN/refmon" -T --hold 0.5 >"$TMPDIR/re.tsv" 2>/dev/null
"$BIN/csplot" --potentials -o "$TMPDIR/p.svg" "$TMPDIR/re.tsv" 2>"$TMPDIR/e"
cat "$TMPDIR/e"
grep -q '2 sources in 2 panels' "$TMPDIR/e"
grep -q '1 warning and 1 plating alarm onset marked' "$TMPDIR/e"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$TMPDIR/p.svg"
grep -o '>[^<>]*</text>' "$TMPDIR/p.svg" | sed 's/^>//; s/<\/text>$//' >"$TMPDIR/legend"
for t in 're0/anode (V)' 're0/cathode (V)' 'plating threshold 0 V' \
	 'warning 0.01 V' 'warning onset (1)' 'plating onset (1)'; do
	[ "$(grep -cxF "$t" "$TMPDIR/legend")" -eq 1 ] ||
		{ echo "legend entry '$t' not once:"; cat "$TMPDIR/legend"; exit 1; }
done
# another threshold, no alarms in the records: the lines, no onset marks
grep -v '	plating	' "$TMPDIR/re.tsv" >"$TMPDIR/quiet.tsv"
"$BIN/csplot" --potentials --threshold=-0.05 --margin=0.02 -o "$TMPDIR/q.svg" "$TMPDIR/quiet.tsv" 2>"$TMPDIR/e"
grep -q '0 warning and 0 plating alarm onsets marked' "$TMPDIR/e"
grep -qF '>plating threshold -0.05 V<' "$TMPDIR/q.svg"
grep -qF '>warning -0.03 V<' "$TMPDIR/q.svg"
! grep -qF 'onset (' "$TMPDIR/q.svg"
expect 2 "-q does not go with" "$BIN/csplot" --potentials -q tof -o "$TMPDIR/x.svg" "$TMPDIR/re.tsv"
# a records file given as shots: its first line named
expect 1 "r.tsv: read as text: line 1, column 1: not a number" "$BIN/csplot" --waterfall -o "$TMPDIR/x.svg" "$TMPDIR/r.tsv"
