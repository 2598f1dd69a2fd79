# csplot --spectrum: a raw fbgsim spectrum with fbgtrack's wavelength
# records of the same scan marked (matched by time) and the windows
# shaded; the SVG parses and its legend counts what was drawn.
set -eu
. "$SRC/tests/tools/common/expect.sh"
G="-g g0:1530 -g g1:1550 -g g2:1570:3 -g g3:1590"
# grating 3 (g3) is dark from scan 2 on: lost there
"$BIN/fbgsim" -N 5 -g 1530 -g 1550 -g 1570 -g 1590 --drop 3:2 >"$TMPDIR/s.bin"
# shellcheck disable=SC2086
"$BIN/fbgtrack" $G <"$TMPDIR/s.bin" >"$TMPDIR/w.tsv" 2>/dev/null

xml() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"; }
legend() { grep -o '>[^<>]*</text>' "$1" | sed 's/^>//; s/<\/text>$//'; }
has() { grep -qxF "$2" "$1" || { echo "no '$2' in:"; cat "$1"; exit 1; }; }

# scan 1: all four gratings found and marked
# shellcheck disable=SC2086
"$BIN/csplot" --spectrum --scan=1 -r "$TMPDIR/w.tsv" $G -o "$TMPDIR/s1.svg" <"$TMPDIR/s.bin" 2>"$TMPDIR/e"
xml "$TMPDIR/s1.svg"
grep -q 'scan 1 (512 pixels, t = 1000000000 ns), 4 wavelength records marked, 4 windows' "$TMPDIR/e"
legend "$TMPDIR/s1.svg" >"$TMPDIR/l1"
for t in 'scan 1, t = 1 s' 'records (4)' 'windows (4)' g0 g1 g2 g3 \
	 fbg0/g0 fbg0/g1 fbg0/g2 fbg0/g3 'wavelength (nm)'; do
	has "$TMPDIR/l1" "$t"
done
! grep -q 'no value' "$TMPDIR/l1"

# scan 2 from a file: g3 lost, named in the legend, not marked
# shellcheck disable=SC2086
"$BIN/csplot" --spectrum --scan=2 -r "$TMPDIR/w.tsv" $G -o "$TMPDIR/s2.svg" "$TMPDIR/s.bin" 2>/dev/null
xml "$TMPDIR/s2.svg"
legend "$TMPDIR/s2.svg" >"$TMPDIR/l2"
has "$TMPDIR/l2" 'records (3)'
has "$TMPDIR/l2" 'no value (1): fbg0/g3'
! grep -qxF fbg0/g3 "$TMPDIR/l2"

# -s selects the marked sources; a wrong rate matches no record: said
"$BIN/csplot" --spectrum --scan=1 -r "$TMPDIR/w.tsv" -s 'fbg0/g[01]' -o "$TMPDIR/s3.svg" <"$TMPDIR/s.bin" 2>"$TMPDIR/e"
legend "$TMPDIR/s3.svg" | grep -qxF 'records (2)'
"$BIN/csplot" --spectrum --scan=1 --rate=2 -r "$TMPDIR/w.tsv" -o "$TMPDIR/s4.svg" <"$TMPDIR/s.bin" 2>"$TMPDIR/e"
grep -q "no wavelength record with a value at scan 1's time 500000000 ns" "$TMPDIR/e"

# PNG
"$BIN/csplot" --spectrum -o "$TMPDIR/s.png" <"$TMPDIR/s.bin" 2>/dev/null
head -c 8 "$TMPDIR/s.png" | od -An -c | grep -q 'P   N   G'

# too few scans, a scan cut short, bad options
expect 1 "scan 9 asked for, the input has 5" "$BIN/csplot" --spectrum --scan=9 -o "$TMPDIR/x.svg" "$TMPDIR/s.bin"
head -c 2500 "$TMPDIR/s.bin" >"$TMPDIR/cut.bin"
expect 1 "byte offset" "$BIN/csplot" --spectrum --scan=2 -o "$TMPDIR/x.svg" "$TMPDIR/cut.bin"
grep -q "scan 2 is incomplete" "$TMPDIR/e"
expect 2 "expected NAME:NM" "$BIN/csplot" --spectrum -g 1530 -o "$TMPDIR/x.svg"
expect 2 "format 'le:q16': not understood" "$BIN/csplot" --spectrum -f le:q16 -o "$TMPDIR/x.svg"
expect 2 "scale '1510': not understood" "$BIN/csplot" --spectrum -w 1510 -o "$TMPDIR/x.svg"
expect 2 "need --spectrum" "$BIN/csplot" -r "$TMPDIR/w.tsv" -o "$TMPDIR/x.svg"
expect 2 "one input of scans" "$BIN/csplot" --spectrum -o "$TMPDIR/x.svg" a b
