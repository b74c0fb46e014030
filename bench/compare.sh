#!/usr/bin/env bash
# compare.sh — Kahuna.Akka, etcd and Redis measured by the same harness (peerbench), in one session.
#   1. builds a copy of ../shared/peerbench with the Kahuna adapter (Kahuna.Node/Bench/Client/PEERBENCH.md),
#   2. starts `kahuna dev` (3 nodes, one process, 127.0.0.1:17070-17072) and runs every workload against it,
#      persistent and ephemeral, REPEATS times, appending to one CSV,
#   3. runs ../shared/peerbench/run-peers.sh (etcd 3 members, Redis AOF) with the same CSV, whose final table
#      then shows the medians of all three systems.
# Only processes this script started are stopped, by PID, also on Ctrl+C or failure.
#
# Environment (defaults in brackets): WORKLOADS ["set get mixed lock sequence"], CONCURRENCY [64], DURATION [20],
# WARMUP [5], REPEATS [3], PAUSE [5], PEERS ["etcd redis"; empty = Kahuna only], BASE [/tmp/kahuna-compare.XXXXXX],
# KAHUNA_CONFIG [none: a HOCON file for the kahuna nodes, e.g. one with kahuna.raft.read-mode = lease],
# SERVER_WARMUP [30: seconds of unmeasured load on the fresh `kahuna dev` before its first measured run; 0 = none].
# Why the server warm-up: Kahuna runs on .NET's tiered JIT, which recompiles the hot paths with profile data during
# the first minute of load; 8 s into a fresh server's first run the JIT thread had a third of the server's CPU
# samples. Without a warm-up the first measured run (persistent set) was 28 % below the next two (27 Nov: 5.4k against
# 7.5k / 7.4k sets/s); after 30 s of it, 6.1k / 6.4k / 6.6k. etcd and Redis are compiled ahead of time.
# Each measured run still has its own WARMUP, and every peerbench client process is fresh for all three systems.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERBENCH_SRC="$ROOT/../shared/peerbench"
WORKLOADS=${WORKLOADS:-"set get mixed lock sequence"}
CONCURRENCY=${CONCURRENCY:-64}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
SERVER_WARMUP=${SERVER_WARMUP:-30}
REPEATS=${REPEATS:-3}
PAUSE=${PAUSE:-5}
PEERS=${PEERS-"etcd redis"}
BASE=${BASE:-$(mktemp -d /tmp/kahuna-compare.XXXXXX)}
mkdir -p "$BASE"
RESULTS=$BASE/results.csv
RESOURCES=$BASE/resources.csv
KAHUNA_PORT=17070
DEV_PID=""

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_dev() {
  [[ -n "$DEV_PID" ]] || return 0
  kill -TERM "$DEV_PID" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$DEV_PID" 2>/dev/null || true
  wait "$DEV_PID" 2>/dev/null || true
  DEV_PID=""
}
trap stop_dev EXIT
trap 'exit 130' INT TERM

log "building kahuna (Release) and peerbench with the Kahuna adapter in $BASE"
dotnet build -c Release "$ROOT/Kahuna.Node/Kahuna.Node.csproj" -nologo -v q >"$BASE/build-kahuna.log" 2>&1 || { cat "$BASE/build-kahuna.log"; exit 1; }
KAHUNA=("dotnet" "$ROOT/Kahuna.Node/bin/Release/net10.0/kahuna.dll")
PB=$BASE/peerbench-kahuna
rm -rf "$PB" && cp -r "$PEERBENCH_SRC" "$PB" && chmod -R u+w "$PB" && rm -rf "$PB/bin" "$PB/obj"
awk '/^```csharp$/{f=1;next} /^```$/{f=0} f' "$ROOT/Kahuna.Node/Bench/Client/PEERBENCH.md" >"$PB/KahunaAdapter.cs"
sed -i 's|\["redis"\] = () => new RedisAdapter(),|&\n            ["kahuna"] = () => new KahunaAdapter(),|' "$PB/IPeerAdapter.cs"
sed -i "s|</Project>|  <ItemGroup>\n    <ProjectReference Include=\"$ROOT/Kahuna.Protocol/Kahuna.Protocol.csproj\" />\n  </ItemGroup>\n\n</Project>|" "$PB/PeerBench.csproj"
dotnet build -c Release "$PB/PeerBench.csproj" -o "$PB/out" -nologo -v q >"$BASE/build-peerbench.log" 2>&1 || { cat "$BASE/build-peerbench.log"; exit 1; }

log "starting kahuna dev on 127.0.0.1:$KAHUNA_PORT-$((KAHUNA_PORT + 2))"
dev_args=(dev --port "$KAHUNA_PORT" --data "$BASE/kahuna")
[[ -n "${KAHUNA_CONFIG:-}" ]] && dev_args+=(--config "$KAHUNA_CONFIG")
"${KAHUNA[@]}" "${dev_args[@]}" >"$BASE/kahuna-dev.log" 2>&1 &
DEV_PID=$!
EP="127.0.0.1:$KAHUNA_PORT,127.0.0.1:$((KAHUNA_PORT + 1)),127.0.0.1:$((KAHUNA_PORT + 2))"
for i in $(seq 1 120); do
  timeout 10 "${KAHUNA[@]}" kv set compare/ready yes --endpoints "$EP" >/dev/null 2>&1 && break
  kill -0 "$DEV_PID" 2>/dev/null || { log "kahuna dev exited"; tail -20 "$BASE/kahuna-dev.log"; exit 1; }
  sleep 0.5
done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; total=busy+$5+$6; print busy, total}' /proc/stat; }

run_kahuna() { # label workload rep durability
  local label=$1 workload=$2 rep=$3 durability=$4 c0 c1 t0 secs mb0 mt0 mb1 mt1
  log "$label $workload (run $rep/$REPEATS)"
  c0=$(cpu_ticks "$DEV_PID"); read -r mb0 mt0 < <(machine_ticks); t0=$(date +%s.%N)
  timeout $((WARMUP + DURATION + 300)) dotnet "$PB/out/peerbench.dll" --system kahuna --endpoints "$EP" --workload "$workload" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --label "$label" --csv "$RESULTS" \
    --opt "kahuna.durability=$durability" | tee -a "$BASE/kahuna-peerbench.log" || log "peerbench exited with $?"
  c1=$(cpu_ticks "$DEV_PID"); read -r mb1 mt1 < <(machine_ticks)
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.3f", b-a}')
  awk -v s="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v t="$secs" -v mb="$((mb1 - mb0))" -v mt="$((mt1 - mt0))" -v n="$(nproc)" \
      -v l="$label" -v w="$workload" -v r="$rep" 'BEGIN{printf "%s,%s,%d,%.2f,%.2f,%d\n", l, w, r, s/hz/t, (mt>0? mb/mt*n : 0), s}' >>"$RESOURCES"
  sleep "$PAUSE"
}

if ((SERVER_WARMUP > 0)); then
  for durability in persistent ephemeral; do
    log "server warm-up: mixed, $durability, $(((SERVER_WARMUP + 1) / 2)) s (not measured)"
    timeout $((SERVER_WARMUP + 300)) dotnet "$PB/out/peerbench.dll" --system kahuna --endpoints "$EP" --workload mixed \
      --concurrency "$CONCURRENCY" --duration $(((SERVER_WARMUP + 1) / 2)) --warmup 1 --label "warm-up" --csv "$BASE/warm-up.csv" \
      --opt "kahuna.durability=$durability" >>"$BASE/warm-up.log" 2>&1 || log "warm-up peerbench exited with $?"
  done
fi

for rep in $(seq 1 "$REPEATS"); do
  for w in $WORKLOADS; do
    run_kahuna kahuna-persistent "$w" "$rep" persistent
    [[ "$w" == sequence ]] || run_kahuna kahuna-ephemeral "$w" "$rep" ephemeral
  done
done
echo "kahuna-dev (3 nodes),pid $DEV_PID peak RSS $(awk '/VmHWM/{print $2}' "/proc/$DEV_PID/status") kB" >>"$BASE/peak-rss.txt"
stop_dev

if [[ -n "$PEERS" ]]; then
  log "running the peers ($PEERS) into the same results"
  SYSTEMS="$PEERS" WORKLOADS="$WORKLOADS" CONCURRENCY="$CONCURRENCY" DURATION="$DURATION" WARMUP="$WARMUP" \
    REPEATS="$REPEATS" PAUSE="$PAUSE" BASE="$BASE" RESULTS="$RESULTS" RESOURCES="$RESOURCES" \
    bash "$PEERBENCH_SRC/run-peers.sh"
else
  column -s, -t <"$RESULTS"
fi
log "results: $RESULTS"
