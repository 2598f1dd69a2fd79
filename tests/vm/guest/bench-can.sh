#!/bin/sh
# bench-can.sh - make bench: frames per second sense2can encodes and sends
# on vcan0, single-threaded, without a ceiling (-L 0), against cangen at
# full speed on the same interface in the same boot; prints the ratio.
# (As a test it checks that both ran and sent what they said.)
. /tests/lib.sh

N=${N:-50000}
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
ip link set vcan0 txqueuelen 10000
# records of 16 gratings x 3 fibres, each a new value: one frame each
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "%d\tfbg%d/g%d\twavelength\t%.4f\tnm\tok\t0.001\n", i, i % 3, i % 16, 1530 + (i % 1000) * 0.001 }' >rec.tsv
now() { cat /proc/uptime | cut -d' ' -f1; }
t0=$(now)
check sense2can-run sh -c 'sense2can -L 0 -w 10000 vcan0 rec.tsv 2>s2c.err'
t1=$(now)
tail -n 2 s2c.err
sent=$(sed -n 's/^sense2can: sent \([0-9]*\) frames.*/\1/p' s2c.err)
expect_eq sense2can-sent "$N" "$sent"
t2=$(now)
check cangen-run cangen -g 0 -n "$N" -I 310 -L 8 -D i -p 10 vcan0
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$N" 'BEGIN {
	s = b - a; g = d - c; if (s <= 0) s = 0.01; if (g <= 0) g = 0.01
	printf "sense2can: %d frames in %.2f s: %.0f frames/s (read, parse, plan, encode, send)\n", n, s, n / s
	printf "baseline: cangen -g 0: %d frames in %.2f s: %.0f frames/s\n", n, g, n / g
	printf "ratio sense2can/cangen: %.2f\n", (n / s) / (n / g) }' | tee bench.out
expect_match bench-ratio '^ratio sense2can/cangen: [0-9]' "$(tail -n 1 bench.out)"
ip link del vcan0
