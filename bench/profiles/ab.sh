#!/bin/bash
# Felix alone, two server jars in alternation: a fresh server (and data directory) per run, the same
# driver, the bench's lifted limits. Prints one line per run with the scenario's main figures.
# Usage: bench/profiles/ab.sh ROUNDS A.jar B.jar BENCH.jar -- SCENARIO ARGS...
#   e.g. bench/profiles/ab.sh 3 before.jar after.jar felix-bench/target/felix-bench.jar -- \
#        heartbeat --rate max -n 200 --shards 16 --warmup 5 --duration 10
set -euo pipefail
rounds=$1 a=$2 b=$3 bench=$4
shift 4
[ "${1-}" = "--" ] && shift
for r in $(seq 1 "$rounds"); do
  for jar in "$a" "$b"; do
    d=$(mktemp -d)
    tok=$(java -jar "$jar" token create --private --owner bench --data "$d" 2>/dev/null | tail -1)
    java -Xmn64m -jar "$jar" serve --data "$d" --host 127.0.0.1 --ws-port 18201 --http-port 18202 \
      --ping-interval-ms 5000 --max-messages-per-second 1000000 --message-burst 1000000 \
      --max-connections-per-token 1000000 --handshake-timeout-ms 600000 > "$d.log" 2>&1 &
    server=$!
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18201) 2>/dev/null && break; sleep 0.2; done
    out=$(java -jar "$bench" "$@" --url ws://127.0.0.1:18201/ --http http://127.0.0.1:18202 --token "$tok" 2>&1)
    echo "round $r $jar load=$(cut -d' ' -f1 /proc/loadavg): $(echo "$out" \
      | grep -E "acks |ack_p50|ack_p99 |deliveries |delivery_p99 |alone " | tr -s ' ' | tr '\n' ' ')"
    kill "$server"; wait "$server" 2>/dev/null || true
    rm -rf "$d" "$d.log"
  done
done
