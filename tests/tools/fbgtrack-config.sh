# A config file sets what options set; timestamps in the input are used;
# a bad config line is named by file and line.
set -eu
cat > "$TMPDIR/rig.conf" <<'CONF'
# rig 3, cell A
pixels = 512
format = le:u16
scale = 1510,0.167,-0.000001
source = cellA
grating = top:1545
grating = bottom:1560:1.5
timestamps = yes
CONF
"$BIN/fbgsim" -N 4 -g 1545 -g 1560 -T -r 1000 |
	"$BIN/fbgtrack" -c "$TMPDIR/rig.conf" > "$TMPDIR/o"
awk -F'\t' 'NR > 1 { n++; if ($6 != "ok") bad++ }
	END { exit !(n == 8 && bad == 0) }' "$TMPDIR/o"
# timestamps from the input: 1 ms apart
grep -q '^3000000	cellA/bottom	wavelength	' "$TMPDIR/o"
# without -T, time comes from --rate
"$BIN/fbgsim" -N 3 -g 1545 | "$BIN/fbgtrack" -g a:1545 -r 4 | grep -q '^500000000	'
printf 'pixels = 512\nfrobs = 3\n' > "$TMPDIR/bad.conf"
set +e
"$BIN/fbgtrack" -c "$TMPDIR/bad.conf" -g a:1530 </dev/null 2>"$TMPDIR/e"
st=$?
set -e
[ "$st" -eq 2 ]
grep -q "bad.conf:2: unknown key 'frobs'" "$TMPDIR/e"
