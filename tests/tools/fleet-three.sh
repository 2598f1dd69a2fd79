# Three gateways publish at once through a real mosquitto to one mqtt2pg
# and a real PostgreSQL: every record in the store once, each under its rig,
# every gateway's queue empty (each batch confirmed by the store), the
# schema partitioned, and a run's metadata in the runs table.
set -eu
. "$SRC/tests/tools/common/fleet.sh"
fleet_start
for r in rigA rigB rigC; do gen_records 20000 1700000000000000000 >"$FLEET/$r.tsv"; done
echo '{"cell": "A1", "sensors": ["fbg0"]}' >"$FLEET/meta.json"

fleet_bg store "$BIN/mqtt2pg" -p "$MQ_PORT" -i store1 -b 5000 -l 50
store=$LAST_PID
wait_for 30 "mqtt2pg's schema" psql_q "SELECT 1 FROM records LIMIT 0"
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
kill "$store"
wait "$store" || { echo "FAIL: mqtt2pg exit $?"; fleet_logs; exit 1; }
grep -q "60000 stored" "$FLEET/store.log" || { echo "FAIL: store summary"; cat "$FLEET/store.log"; exit 1; }
echo "PASS"
