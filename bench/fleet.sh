#!/bin/sh
# make bench: records/s from one gateway into the broker and into
# PostgreSQL, each against a baseline in the same run on the same broker and
# cluster: mosquitto_pub -q 1 of the same batches (one a line), and psql
# \copy of the same rows into the same table.
#   bench/fleet.sh BUILD [N]
set -eu
BUILD=$1
N=${2:-400000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# the store runs in its own directory: a relative BUILD would not reach it
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BIN=$BUILD/bin
TMPDIR=$(mktemp -d)
export TMPDIR
. "$SRC/tests/tools/common/fleet.sh"
trap 'st=$?; fleet_cleanup; rm -rf "$TMPDIR"; exit $st' EXIT
fleet_start
T0=1700000000000000000
gen_records "$N" $T0 >"$FLEET/r.tsv"
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# gateway -> broker: PUBACK is the end (--ack broker), nobody subscribed
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (wall-clock rates below share them)"
t0=$(now)
/usr/bin/time -f "%U %S" -o "$FLEET/gw1.cpu" "$BIN/sense2mqtt" -p "$MQ_PORT" -r bench -Q "$FLEET/q1" -a broker -b 1000 -l 1000 "$FLEET/r.tsv" 2>"$FLEET/gw1.log"
t1=$(now)
# the same batches, one a line (newlines inside turned to '|'), QoS 1
awk 'NR > 1 { b = b (n ? "|" : "") $0; if (++n == 1000) { print "cellsense-batch 1 sense2mqtt-bench 1 1000|" b; b = ""; n = 0 } }
     END { if (n) print "cellsense-batch 1 sense2mqtt-bench 1 " n "|" b }' "$FLEET/r.tsv" >"$FLEET/lines"
t2=$(now)
mosquitto_pub -p "$MQ_PORT" -q 1 -t cellsense/base/records -l <"$FLEET/lines"
t3=$(now)
g=$(rate "$N" "$t0" "$t1")
b=$(rate "$N" "$t2" "$t3")
echo "sense2mqtt -> broker: $g records/s ($N records, batches of 1000, QoS 1)"
awk -v n="$N" '{ printf "sense2mqtt CPU time: %.2f us a record (user + system)\n", ($1 + $2) * 1e6 / n }' "$FLEET/gw1.cpu"
echo "baseline mosquitto_pub -q 1 -l of the same batches: $b records/s"
awk -v g="$g" -v b="$b" 'BEGIN { printf "ratio sense2mqtt/mosquitto_pub: %.2f\n", g / b }'

# end to end: gateway -> broker -> mqtt2pg -> PostgreSQL, until every batch
# is confirmed committed (sense2mqtt exits then)
fleet_bg store "$BIN/mqtt2pg" -p "$MQ_PORT" -i bench-store -q
STORE_PID=$LAST_PID
wait_for 30 "mqtt2pg's schema" psql_q "SELECT 1 FROM records LIMIT 0"
t0=$(now)
"$BIN/sense2mqtt" -p "$MQ_PORT" -r bench -Q "$FLEET/q2" -b 1000 -W 600 "$FLEET/r.tsv" 2>"$FLEET/gw2.log"
t1=$(now)
[ "$(store_count bench)" -eq "$N" ] || { echo "FAIL: $(store_count bench) of $N rows stored"; exit 1; }
# the same rows by psql \copy into the same table (another rig)
awk -F '\t' 'NR > 1 { print "copybase\t" $2 "\t" $3 "\t" $1 "\t" $4 "\t" $5 "\t" $6 "\t" $7 }' "$FLEET/r.tsv" >"$FLEET/rows"
t2=$(now)
psql_q "\\copy records FROM '$FLEET/rows'"
t3=$(now)
[ "$(store_count copybase)" -eq "$N" ]
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ ut st _ </proc/$STORE_PID/stat
hz=$(getconf CLK_TCK)
e=$(rate "$N" "$t0" "$t1")
c=$(rate "$N" "$t2" "$t3")
echo "sense2mqtt -> mosquitto -> mqtt2pg -> PostgreSQL: $e records/s end to end (committed and confirmed)"
printf '%s\n' "baseline psql \\copy of the same rows into the same table: $c records/s"
awk -v n="$N" -v t="$((ut + st))" -v hz="$hz" 'BEGIN { printf "mqtt2pg CPU time: %.2f us a record (user + system; PostgreSQL not counted)\n", t / hz * 1e6 / n }'
awk -v e="$e" -v c="$c" 'BEGIN { printf "ratio end-to-end/\\copy: %.2f (goal: >= 100000 records/s end to end)\n", e / c }'
