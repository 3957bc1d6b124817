#!/usr/bin/env bash
# Soak test: runs a gateway on loopback and drives it for a while with ./felix bench soak
# (listeners, writes, reconnect storms and clients that stop reading); prints errors, server
# memory (RSS) and latency every interval. Exits non-zero when any error was seen.
#
#   bench/soak.sh [DURATION_SECONDS=300] [REPORT_EVERY_SECONDS=10]
#
# Environment: SOAK_WS_PORT, SOAK_HTTP_PORT (default: free ports), SOAK_OPTS (extra options for
# ./felix bench soak, e.g. "--listeners 50 --writes-per-second 100 --storm 20 --slow 4"; its
# --help lists them), FELIX_JAVA_OPTS (the server's JVM options; the load generator runs with the
# JVM's defaults).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-300}"
every="${2:-10}"
ws_port="${SOAK_WS_PORT:-0}"
http_port="${SOAK_HTTP_PORT:-0}"
# ./felix builds the jars when they are stale: do it now, as a build started for the load generator
# later would replace felix.jar under the running server.
"$root/felix" bench --help >/dev/null
data="$(mktemp -d -t felix-soak.XXXXXX)"

# A small outbound bound so that the slow clients are cut off within the run.
"$root/felix" serve --data "$data" --host 127.0.0.1 --ws-port "$ws_port" --http-port "$http_port" \
    --max-queued-bytes 262144 >"$data/server.out" 2>&1 &
pid=$!
cleanup() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

token=""
for _ in $(seq 1 600); do
  token="$(grep -m1 -o 'fxp_[A-Za-z0-9_-]*' "$data/server.out" || true)"
  [ -n "$token" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$data/server.out" >&2; exit 1; }
  sleep 0.5
done
[ -n "$token" ] || { echo "the server did not start" >&2; cat "$data/server.out" >&2; exit 1; }
# The startup line names the bound ports (they differ from the options when those were 0).
ports="$(grep -m1 -o "WebSocket on ws://[^,]*, REST API on http://[^,]*," "$data/server.out")"
ws_port="$(sed -E 's|WebSocket on ws://[^,]*:([0-9]+),.*|\1|' <<<"$ports")"
http_port="$(sed -E 's|.*REST API on http://[^,]*:([0-9]+),|\1|' <<<"$ports")"
echo "soak: server pid $pid, ws port $ws_port, http port $http_port, ${duration}s" >&2

# shellcheck disable=SC2086
FELIX_JAVA_OPTS="" "$root/felix" bench soak --url "ws://127.0.0.1:$ws_port/" --http "http://127.0.0.1:$http_port" \
    --token "$token" --server-pid "$pid" --duration "$duration" --report-every "$every" ${SOAK_OPTS:-}
