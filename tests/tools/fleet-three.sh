# Three gateways publish at once through a real mosquitto to two mqtt2pg
# and a real PostgreSQL: every record in the store once, each under its rig,
# every gateway's queue empty (each batch confirmed by the store), the
# schema partitioned, a run's metadata in the runs table; two mqtt2pg on a
# shared subscription each take a share.
set -eu
. "$SRC/tests/tools/common/fleet.sh"
fleet_start
for r in rigA rigB rigC; do gen_records 20000 1700000000000000000 >"$FLEET/$r.tsv"; done
echo '{"cell": "A1", "sensors": ["fbg0"]}' >"$FLEET/meta.json"

# two mqtt2pg share the load on a shared subscription, starting together
fleet_bg store1 "$BIN/mqtt2pg" -p "$MQ_PORT" -g store -i store1 -b 5000 -l 50
store1=$LAST_PID
fleet_bg store2 "$BIN/mqtt2pg" -p "$MQ_PORT" -g store -i store2 -b 5000 -l 50
store2=$LAST_PID
wait_for 30 "mqtt2pg's schema" psql_q "SELECT 1 FROM records LIMIT 0"
wait_for 30 "both subscribed" sh -c "grep -c 'store[12] (p2, c0' '$FLEET/mosquitto.log' | grep -qx 2"
pids=""
for r in rigA rigB rigC; do
	fleet_bg "gw-$r" "$BIN/sense2mqtt" -p "$MQ_PORT" -r "$r" -Q "$FLEET/q-$r" \
		-b 500 -m "$FLEET/meta.json" -n run1 "$FLEET/$r.tsv"
	pids="$pids $LAST_PID"
done
for p in $pids; do
	wait "$p" || { echo "FAIL: a gateway exited $?"; fleet_logs; exit 1; }
done
for r in rigA rigB rigC; do
	check_store "$r" "$FLEET/$r.tsv"
	grep -q "20000 records read in [0-9]* batches, 20000 confirmed by the store" "$FLEET/gw-$r.log" ||
		{ echo "FAIL: $r summary"; cat "$FLEET/gw-$r.log"; exit 1; }
	[ -z "$(ls "$FLEET/q-$r" | grep batch || true)" ] || { echo "FAIL: $r queue not empty"; exit 1; }
done
[ "$(store_count)" -eq 60000 ]
[ "$(psql_q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'records'::regclass")" -ge 2 ]
runs_ok() {
	[ "$(psql_q "SELECT count(*) FROM runs WHERE run = 'run1' AND metadata->>'cell' = 'A1'")" -eq 3 ]
}
wait_for 10 "the runs' metadata" runs_ok
kill "$store1" "$store2"
wait "$store1" || { echo "FAIL: mqtt2pg exit $?"; fleet_logs; exit 1; }
wait "$store2" || { echo "FAIL: mqtt2pg exit $?"; fleet_logs; exit 1; }
# each took a share, together all of it
s1=$(sed -n 's/.*at exit: .* records: \([0-9]*\) stored.*/\1/p' "$FLEET/store1.log")
s2=$(sed -n 's/.*at exit: .* records: \([0-9]*\) stored.*/\1/p' "$FLEET/store2.log")
echo "store1 stored $s1, store2 stored $s2"
[ "$s1" -gt 0 ] && [ "$s2" -gt 0 ] && [ $((s1 + s2)) -eq 60000 ] ||
	{ echo "FAIL: shared subscription"; fleet_logs; exit 1; }
echo "PASS"
