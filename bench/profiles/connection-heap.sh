#!/usr/bin/env bash
# The live heap an idle authenticated connection costs felix: starts felix from its jar (JVM options
# as ./felix serve, -Xmn64m), takes `jmap -histo:live` with no connection and while N connections
# opened by `felix bench connections` are held, and prints the difference per connection, class by
# class (bench/profiles/connection-heap-histogram.txt was made by it).
#   bench/profiles/connection-heap.sh [N] > histogram.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-2000}"
jar="$root/felix-server/target/felix.jar"
bench="$root/felix-bench/target/felix-bench.jar"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
opts="${FELIX_JAVA_OPTS--Xmn64m}"
token="$(java $opts -jar "$jar" token create --private --owner heap --data "$work/data" 2>/dev/null | tail -1)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ws="$(free_port)"
http="$(free_port)"
java $opts -jar "$jar" serve --data "$work/data" --host 127.0.0.1 --ws-port "$ws" --http-port "$http" \
    --max-connections-per-token 1000000 --handshake-timeout-ms 600000 >"$work/server.log" 2>&1 &
server=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$ws") 2>/dev/null; do sleep 0.2; done
sleep 5
jmap -histo:live "$server" >"$work/before.txt"
java -jar "$bench" connections --url "ws://127.0.0.1:$ws/" --http "http://127.0.0.1:$http" --token "$token" \
    --clients "$n" --procs 3 --hold 40 >"$work/bench.txt" 2>&1 &
driver=$!
# Every connection open (the server logs each one), then a moment for the last handshakes' garbage.
until [ "$(grep -c '^.*opened .* token' "$work/server.log" || true)" -ge "$n" ]; do sleep 1; done
sleep 5
jmap -histo:live "$server" >"$work/during.txt"
wait "$driver"
python3 - "$work/before.txt" "$work/during.txt" "$n" <<'EOF'
import re, sys

def histo(path):
    out = {}
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out

before, during, n = histo(sys.argv[1]), histo(sys.argv[2]), int(sys.argv[3])
rows = []
for cls, (count, size) in during.items():
    c0, s0 = before.get(cls, (0, 0))
    rows.append(((size - s0) / n, (count - c0) / n, cls))
total = sum(during[c][1] for c in during) - sum(before[c][1] for c in before)
print(f"live heap growth holding {n} idle connections: {total} bytes, {total // n} bytes per connection")
print()
print("bytes/conn objects/conn  class")
for b, o, cls in sorted(rows, reverse=True):
    if b >= 8:
        print(f"{b:10.1f} {o:12.2f}  {cls}")
EOF
grep -E 'connections\.(opened|failed|held)' "$work/bench.txt" >&2 || cat "$work/bench.txt" >&2
