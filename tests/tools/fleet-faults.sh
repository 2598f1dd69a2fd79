# The faults of the path gateway -> mosquitto -> mqtt2pg -> PostgreSQL, one
# after the other on one broker and one throw-away cluster: the broker
# killed (SIGKILL, no persistence: its sessions and what it held are gone)
# and restarted mid-stream; PostgreSQL stopped and restarted mid-stream;
# mqtt2pg killed with SIGKILL holding an uncommitted batch; a full disk
# queue under each drop policy, resumed by a second sense2mqtt. After each,
# every record sent is in the store exactly once, or counted as dropped by
# the policy that dropped it.
set -eu
. "$SRC/tests/tools/common/fleet.sh"
fleet_start
T0=1700000000000000000

start_store() {	# NAME [OPTIONS]: an mqtt2pg, pid in $STORE
	n=$1
	shift
	fleet_bg "$n" "$BIN/mqtt2pg" -p "$MQ_PORT" -i store -q "$@"
	STORE=$LAST_PID
}
has_rows() {	# RIG N: the store has at least N rows of RIG
	[ "$(store_count "$1")" -ge "$2" ]
}
gateway_ok() {	# PID NAME: the gateway ended with everything confirmed
	wait "$1" || { echo "FAIL: $2 exited $?"; fleet_logs; exit 1; }
}
start_store store-1
wait_for 30 "mqtt2pg's schema" psql_q "SELECT 1 FROM records LIMIT 0"

echo "== broker killed and restarted mid-stream"
gen_records 8000 $T0 >"$FLEET/k.tsv"
mkfifo "$FLEET/k.in"
fleet_bg gw-k "$BIN/sense2mqtt" -p "$MQ_PORT" -r rigK -Q "$FLEET/q-k" -S -b 200 -R 2 -W 60 "$FLEET/k.in"
gw=$LAST_PID
exec 3>"$FLEET/k.in"
head -n 4001 "$FLEET/k.tsv" >&3
wait_for 30 "the first half stored" has_rows rigK 2000
mq_kill
tail -n +4002 "$FLEET/k.tsv" >&3
exec 3>&-
mq_start
mq_wait
gateway_ok "$gw" gw-k
check_store rigK "$FLEET/k.tsv"
grep -q "connection lost" "$FLEET/gw-k.log" || { echo "FAIL: the gateway never saw the broker go"; exit 1; }

echo "== PostgreSQL stopped and restarted mid-stream"
gen_records 8000 $T0 >"$FLEET/p.tsv"
mkfifo "$FLEET/p.in"
fleet_bg gw-p "$BIN/sense2mqtt" -p "$MQ_PORT" -r rigP -Q "$FLEET/q-p" -b 200 -R 2 -W 60 "$FLEET/p.in"
gw=$LAST_PID
exec 3>"$FLEET/p.in"
head -n 4001 "$FLEET/p.tsv" >&3
wait_for 30 "the first half stored" has_rows rigP 2000
pg_stop
tail -n +4002 "$FLEET/p.tsv" >&3
exec 3>&-
wait_for 30 "mqtt2pg to notice" grep -q "connection lost; holding" "$FLEET/store-1.log"
pg_start
gateway_ok "$gw" gw-p
check_store rigP "$FLEET/p.tsv"

echo "== mqtt2pg killed with SIGKILL holding a batch it has not committed"
kill "$STORE"
wait "$STORE" || { echo "FAIL: mqtt2pg exit $?"; fleet_logs; exit 1; }
start_store store-2 -d -l 600000 -b 1000000
wait_for 30 "mqtt2pg connected" grep -q "CONNACK" "$FLEET/store-2.log"
gen_records 6000 $T0 >"$FLEET/s.tsv"
fleet_bg gw-s "$BIN/sense2mqtt" -p "$MQ_PORT" -r rigS -Q "$FLEET/q-s" -b 200 -R 2 -W 60 "$FLEET/s.tsv"
gw=$LAST_PID
got_all() { [ "$(grep -c "PUBLISH.*rigS/records" "$FLEET/store-2.log")" -ge 30 ]; }
wait_for 30 "mqtt2pg to hold every batch" got_all
kill -9 "$STORE"
wait "$STORE" 2>/dev/null || true
[ "$(store_count rigS)" -eq 0 ] || { echo "FAIL: mqtt2pg had committed already: not mid-batch"; exit 1; }
start_store store-3
gateway_ok "$gw" gw-s
check_store rigS "$FLEET/s.tsv"
grep -q "sent again" "$FLEET/gw-s.log"

echo "== a full disk queue while the broker is away, each policy; resumed"
mq_kill
for pol in oldest newest; do
	gen_records 4000 $T0 >"$FLEET/$pol.tsv"
	set +e
	"$BIN/sense2mqtt" -p "$MQ_PORT" -r "rig-$pol" -Q "$FLEET/q-$pol" -b 100 -l 60000 \
		-M 20k -D "$pol" -W 0 "$FLEET/$pol.tsv" 2>"$FLEET/full-$pol.log"
	st=$?
	set -e
	[ "$st" -eq 1 ] || { echo "FAIL: exit $st with records dropped"; cat "$FLEET/full-$pol.log"; exit 1; }
	cat "$FLEET/full-$pol.log"
done
mq_start
mq_wait
for pol in oldest newest; do
	"$BIN/sense2mqtt" -p "$MQ_PORT" -r "rig-$pol" -Q "$FLEET/q-$pol" -R 2 -W 60 </dev/null 2>"$FLEET/resume-$pol.log" ||
		{ echo "FAIL: resume $pol"; cat "$FLEET/resume-$pol.log"; exit 1; }
	cat "$FLEET/resume-$pol.log"
	grep -q "resuming" "$FLEET/resume-$pol.log"
	dropped=$(sed -n 's/.*queue full: \([0-9]*\) records in [0-9]* batches dropped (policy '"$pol"').*/\1/p' "$FLEET/full-$pol.log")
	[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || { echo "FAIL: no drop reported for $pol"; exit 1; }
	kept=$((4000 - dropped))
	# the stored ones are the newest (oldest dropped) or the first ones
	if [ "$pol" = oldest ]; then
		{ head -n 1 "$FLEET/$pol.tsv"; tail -n "$kept" "$FLEET/$pol.tsv"; } >"$FLEET/$pol.kept"
	else
		head -n $((kept + 1)) "$FLEET/$pol.tsv" >"$FLEET/$pol.kept"
	fi
	check_store "rig-$pol" "$FLEET/$pol.kept"
done

echo "== nothing stored twice, nothing else stored"
[ "$(store_count)" -eq "$(psql_q "SELECT count(DISTINCT (rig, source, quantity, time_ns)) FROM records")" ]
echo PASS
