#!/usr/bin/env bash
# Streaming measurements (issue: streaming both ways with back-pressure).
# Builds streamserver (ours) and nethttpstream (net/http), starts nginx on
# a file of SIZE bytes, and measures, with curl as the client:
#   1. peak RSS (VmHWM) of the server sending SIZE bytes to a client that
#      reads at 20 MB/s (curl --limit-rate), ours and net/http;
#   2. peak RSS of the server hashing a SIZE-byte upload;
#   3. throughput to a fast client (curl -o /dev/null), generated bodies
#      (ours: goroutine writer and loop writer; net/http: io.CopyN) and the
#      file (ours: sendfile; net/http: http.ServeFile; nginx), ROUNDS
#      interleaved rounds, medians.
# Servers on CPU 0, curl on CPU 1. Usage: measure.sh [SIZE] [ROUNDS]
set -euo pipefail
SIZE=${1:-1073741824}
ROUNDS=${2:-3}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/ours" ./streams/cmd/streamserver
go build -o "$work/nethttp" ./streams/cmd/nethttpstream
head -c "$SIZE" /dev/zero > "$work/big"
chmod 755 "$work"; chmod 644 "$work/big" # nginx's workers run as nobody
cat "$work/big" > /dev/null # into the page cache

start() { # start NAME CMD...: starts a server pinned to CPU 0, waits for its port
  local name=$1 port=$2; shift 2
  taskset -c 0 "$@" & pids+=($!); eval "pid_$name=$!"
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && return; sleep 0.05; done
  echo "$name did not start" >&2; exit 1
}
hwm() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$1/status; }
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

echo "size: $SIZE bytes; $(nproc) CPUs; $(go version | cut -d' ' -f3)"
echo
echo "## peak RSS, slow reader (curl --limit-rate 20M)"
for s in "ours /gen" "ours /loop" "nethttp /gen"; do
  set -- $s
  start srv 18480 "$work/$1" -port 18480 -file "$work/big"
  taskset -c 1 curl -s --limit-rate 20M -o /dev/null "http://127.0.0.1:18480$2?n=$SIZE"
  echo "$1 $2: VmHWM $(hwm $pid_srv)"
  stop $pid_srv
done
echo
echo "## peak RSS, upload hashed by the handler (curl -T)"
for s in ours nethttp; do
  start srv 18480 "$work/$s" -port 18480 -file "$work/big"
  out=$(taskset -c 1 curl -s -T "$work/big" "http://127.0.0.1:18480/upload")
  echo "$s: VmHWM $(hwm $pid_srv) ($out)"
  stop $pid_srv
done
echo
echo "## throughput to a fast client (curl -o /dev/null), MB/s, $ROUNDS rounds"
start ours 18481 "$work/ours" -port 18481 -file "$work/big"
start nethttp 18482 "$work/nethttp" -port 18482 -file "$work/big"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
error_log $work/nginx-error.log;
pid $work/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:18483; root $work; location = /file { alias $work/big; } }
}
NGINX
have_nginx=0
if command -v nginx >/dev/null; then
  start nginx 18483 nginx -c "$work/nginx.conf" -p "$work"
  have_nginx=1
fi
speed() { taskset -c 1 curl -s -o /dev/null -w '%{speed_download}' "$1" | awk '{printf "%.0f", $1/1e6}'; }
declare -A results
cases=("ours-gen http://127.0.0.1:18481/gen?n=$SIZE" "ours-loop http://127.0.0.1:18481/loop?n=$SIZE"
  "nethttp-gen http://127.0.0.1:18482/gen?n=$SIZE" "ours-file http://127.0.0.1:18481/file"
  "nethttp-file http://127.0.0.1:18482/file")
[ $have_nginx = 1 ] && cases+=("nginx-file http://127.0.0.1:18483/file")
for r in $(seq "$ROUNDS"); do
  for c in "${cases[@]}"; do
    set -- $c
    results[$1]="${results[$1]:-} $(speed "$2")"
  done
done
for c in "${cases[@]}"; do
  set -- $c
  med=$(echo ${results[$1]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$1: median $med MB/s (rounds:${results[$1]})"
done
