# Bad input on both sides of the broker: lines that are not records into
# sense2mqtt (reported with file:line:column, counted, exit 3, the rest
# stored); payloads that are not batches, a truncated batch, text that is
# not UTF-8 and metadata that is not JSON published straight to mqtt2pg
# (each reported and counted, the good records around them stored, mqtt2pg
# still running); and usage errors, with no credentials taken on the
# command line.
set -eu
. "$SRC/tests/tools/common/fleet.sh"
. "$SRC/tests/tools/common/expect.sh"

# usage errors first: no servers needed
expect 2 "no queue directory" "$BIN/sense2mqtt"
expect 2 "rig: 'a/b'" "$BIN/sense2mqtt" -Q "$TMPDIR/q" -r a/b
expect 2 "drop: 'last'" "$BIN/sense2mqtt" -Q "$TMPDIR/q" -D last
expect 2 "TLS options need --cafile" "$BIN/sense2mqtt" -Q "$TMPDIR/q" --cert c --key k
expect 2 "tls-version" "$BIN/sense2mqtt" -Q "$TMPDIR/q" --cafile c --tls-version ssl3
expect 2 "queue-max" "$BIN/sense2mqtt" -Q "$TMPDIR/q" -M 10X
expect 2 "no password on the command line" "$BIN/mqtt2pg" --db "host=x password=secret"
expect 2 "group" "$BIN/mqtt2pg" -g 'a+b'
expect 2 "a password without a user name" env CELLSENSE_MQTT_PASSWORD=x "$BIN/sense2mqtt" -Q "$TMPDIR/q" -p 1 /dev/null
expect 1 "cannot open the queue" "$BIN/sense2mqtt" -Q /proc/no/such/queue /dev/null

fleet_start
fleet_bg store "$BIN/mqtt2pg" -p "$MQ_PORT" -i store -l 50
store=$LAST_PID
wait_for 30 "mqtt2pg's schema" psql_q "SELECT 1 FROM records LIMIT 0"
wait_for 30 "mqtt2pg subscribed" grep -q "as store (p2, c0" "$FLEET/mosquitto.log"

# bad lines among good ones
gen_records 1000 1700000000000000000 >"$FLEET/good.tsv"
{ head -n 301 "$FLEET/good.tsv"; printf 'garbage\n'; printf 'x\tfbg0/g0\ttemperature\t1\tdegC\n';
  printf '5\tfbg0/g0\ttemperature\tabc\tdegC\n'; tail -n +302 "$FLEET/good.tsv"; } >"$FLEET/mixed.tsv"
set +e
"$BIN/sense2mqtt" -p "$MQ_PORT" -r rigM -Q "$FLEET/q-m" -W 60 "$FLEET/mixed.tsv" 2>"$FLEET/gw-m.log"
st=$?
set -e
[ "$st" -eq 3 ] || { echo "FAIL: exit $st, wanted 3"; cat "$FLEET/gw-m.log"; exit 1; }
grep -q "mixed.tsv:302:1: fewer than 5" "$FLEET/gw-m.log"
grep -q "mixed.tsv:303:1: time_ns is not an integer" "$FLEET/gw-m.log"
grep -q "mixed.tsv:304:4: value is not a number" "$FLEET/gw-m.log"
grep -q "3 input lines skipped" "$FLEET/gw-m.log"
check_store rigM "$FLEET/good.tsv"

# bad payloads straight to the store's topic
pub() { mosquitto_pub -p "$MQ_PORT" -q 1 -t "$1" -f "$2"; }
printf 'hello\n' >"$FLEET/p1"
printf 'cellsense-batch 1 gwX 1 3\n1\tfbg0/g0\ttemperature\t1.5\tdegC\tok\t0.1\n2\tfbg0/g0\ttemperature\t1.6\tdegC\tok\t0.1\n3\tfbg0/g0\ttemp' >"$FLEET/p2"
printf 'cellsense-batch 1 gwX 2 2\n4\tfbg0/\377\ttemperature\t1.7\tdegC\tok\t0.1\n5\tfbg0/g0\ttemperature\t1.8\tdegC\tok\t0.1\n' >"$FLEET/p3"
printf '{"cell": ' >"$FLEET/m1"
printf '{"cell": "B2"}' >"$FLEET/m2"
for p in p1 p2 p3; do pub cellsense/rigX/records "$FLEET/$p"; done
pub cellsense/rigX/run/r1 "$FLEET/m1"
pub cellsense/rigX/run/r2 "$FLEET/m2"
rows_x() { [ "$(store_count rigX)" -eq 3 ]; }
wait_for 30 "the good records of the bad batches" rows_x
run_ok() { [ "$(psql_q "SELECT metadata->>'cell' FROM runs WHERE rig = 'rigX' AND run = 'r2'")" = B2 ]; }
wait_for 30 "the good metadata" run_ok
[ "$(psql_q "SELECT count(*) FROM runs WHERE run = 'r1'")" -eq 0 ]
[ "$(psql_q "SELECT string_agg(value::text, ',' ORDER BY time_ns) FROM records WHERE rig = 'rigX'")" = "1.5,1.6,1.8" ]
kill -0 "$store" || { echo "FAIL: mqtt2pg died"; fleet_logs; exit 1; }
kill "$store"
wait "$store"
cat "$FLEET/store.log"
grep -q "rigX/records: not a cellsense-batch 1 payload; batch ignored" "$FLEET/store.log"
grep -q "batch gwX 1, record line 3: last line without newline" "$FLEET/store.log"
grep -q "batch gwX 2, record line 1: text that is not UTF-8" "$FLEET/store.log"
grep -q "run rigX/r1: metadata refused" "$FLEET/store.log"
grep -q "2 bad lines, 1 bad batches" "$FLEET/store.log"
echo PASS
