#!/usr/bin/env bash
# Runs Tributary's benchmarks and writes one Markdown report to benchmarks/results/<date>-<profile>.md
#
#   benchmarks/run.sh [short|full]
#
# short (default; 6 minutes measured on 2 idle cores, budget 10): a subset of the JMH suites (-f1 -wi 2 -w 1s -i 3 -r 1s),
#   four end-to-end runs, the memory probes.
# full (about 50 minutes: 82 JMH runs of ~20 s): every JMH benchmark and parameter (-f1 -wi 3 -w 2s -i 5 -r 2s), the end-to-end
#   matrix (1 and 8 devices x SYNC and OS_FLUSH x compression on and off, latency at 200 objects/s,
#   full-load latency unpaced and paced at 100,000 and 200,000 objects/s, -Xmx256m), the memory probes with default and -Xmx256m child JVMs, and
#   `tributary demo` twice with -Xmx256m (builds cli/target/tributary.jar if missing).
# Every JMH run uses -prof gc (B/op is gc.alloc.rate.norm). Builds benchmarks/target/benchmarks.jar if
# it is missing. Needs java 17+ on the PATH; nothing else (no jq, no python).
# JMH refuses to start while another JMH run holds /tmp/jmh.lock (two benchmark runs would distort each
# other); JMH_IGNORE_LOCK=1 overrides that, at the cost of both runs' figures.
set -euo pipefail

profile="${1:-short}"
case "$profile" in short|full) ;; *) echo "usage: $0 [short|full]" >&2; exit 2 ;; esac

root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "run.sh: building $jar ..." >&2
  (cd "$root" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests)
fi

results="$root/benchmarks/results"
work="$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
report="$results/$stamp-$profile.md"
# scratch LMDB files go to ./target/bench-data (the benchmarks' default), next to the build output, not
# /tmp (which may be tmpfs)
cd "$root/benchmarks"
java_opts=(--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED)

if [ "$profile" = short ]; then
  jmh_opts=(-f1 -wi 2 -w 1s -i 3 -r 1s -prof gc)
else
  jmh_opts=(-f1 -wi 3 -w 2s -i 5 -r 2s -prof gc)
fi
jmh_lock=()
if [ "${JMH_IGNORE_LOCK:-0}" = 1 ]; then
  jmh_lock=(-Djmh.ignoreLock=true)
fi

n=0
jmh() { # jmh <regex> [jmh options...]: one JMH run, JSON into $work
  n=$((n + 1))
  echo "run.sh: JMH $*" >&2
  java "${java_opts[@]}" ${jmh_lock[@]+"${jmh_lock[@]}"} -jar "$jar" "$@" "${jmh_opts[@]}" -rf json -rff "$work/jmh-$n.json" >"$work/jmh-$n.log" 2>&1 \
    || { echo "run.sh: JMH run $n failed, see below" >&2; tail -30 "$work/jmh-$n.log" >&2; return 1; }
}

e2e() { # e2e <EndToEnd options...>: one row into $work/e2e.md
  echo "run.sh: EndToEnd $*" >&2
  java "${java_opts[@]}" -cp "$jar" io.tributary.benchmarks.e2e.EndToEnd "$@" >>"$work/e2e.md" \
    2>>"$work/e2e.log" || echo "run.sh: EndToEnd $* FAILED (exit $?)" | tee -a "$work/e2e.md" >&2
}

e2e_xmx() { # as e2e, with -Xmx256m (client engine and server share that one heap)
  echo "run.sh: EndToEnd -Xmx256m $*" >&2
  java -Xmx256m "${java_opts[@]}" -cp "$jar" io.tributary.benchmarks.e2e.EndToEnd "$@" >>"$work/e2e.md" \
    2>>"$work/e2e.log" || echo "run.sh: EndToEnd -Xmx256m $* FAILED (exit $?)" | tee -a "$work/e2e.md" >&2
}

memory() { # memory <MemoryProbe args...>
  echo "run.sh: MemoryProbe $*" >&2
  java "${java_opts[@]}" -cp "$jar" io.tributary.benchmarks.memory.MemoryProbe "$@" >>"$work/memory.md" \
    2>>"$work/memory.log" || echo "run.sh: MemoryProbe $* FAILED (exit $?)" | tee -a "$work/memory.md" >&2
  echo >>"$work/memory.md"
}

started=$(date +%s)
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# ---- JMH ------------------------------------------------------------------------------------
if [ "$profile" = short ]; then
  jmh 'changeset.ChangesetEncodeBenchmark.(oneObjectChangeset|transaction1000|transaction1000Prepared|wideOneObjectChangeset|wideTransaction1000)$' -p sink=heap
  jmh 'changeset.ChangesetDecodeBenchmark' -p buffer=heap,readOnlyHeap
  jmh 'api.WriteApiBenchmark'
  jmh 'message.UploadCodecBenchmark' -p entries=128
  jmh 'storage.UploadLogAppendBenchmark' -p storage=lmdb -p durability=SYNC,OS_FLUSH -p objectsPerCommit=1,1000
  jmh 'storage.UploadLogAppendBenchmark.append(1|16)$' -p storage=memory -p durability=SYNC -p objectsPerCommit=1000
  jmh 'storage.StorageCeilingBenchmark.rawLmdbPutLoop' -p shape=ONE_VALUE -p durability=SYNC,OS_FLUSH \
    -p objectsPerCommit=1,1000
  jmh 'storage.StorageCeilingBenchmark.arraycopy' -p shape=ONE_VALUE -p durability=SYNC -p objectsPerCommit=1000
else
  jmh 'changeset\.'
  jmh 'api\.'
  jmh 'message\.'
  jmh 'storage.UploadLogAppendBenchmark' -p storage=lmdb
  jmh 'storage.UploadLogAppendBenchmark' -p storage=memory -p durability=SYNC
  jmh 'storage.StorageCeilingBenchmark.rawLmdbPutLoop'
  jmh 'storage.StorageCeilingBenchmark.arraycopy' -p durability=SYNC -p shape=ONE_VALUE
fi

# ---- end to end -----------------------------------------------------------------------------
: >"$work/e2e.md"
if [ "$profile" = short ]; then
  # 20 s of warm-up: with 3 s, a third of the window's CPU was still the JIT compiling (measured
  # per thread by EndToEnd), so window figures were not the steady state
  e2e --header --devices 1 --batch 1000 --durability SYNC --compression on --warmup 20s --duration 8s --log-max-mib 2
  e2e --devices 1 --batch 1000 --durability OS_FLUSH --compression off --warmup 20s --duration 8s --log-max-mib 2
  e2e --devices 8 --batch 1000 --durability SYNC --compression on --warmup 20s --duration 8s --log-max-mib 2
  # 60 s of warm-up at 200 objects/s: with 10 s the JIT still compiled for 1.0-1.7 s of CPU inside
  # the window, and on 2 cores that, not the pipeline, made the p99 (docs/benchmarks.md)
  e2e --devices 1 --batch 1 --durability SYNC --compression on --rate 200 --warmup 60s --duration 10s
  # full load, paced: 8 devices offering 100,000 objects/s in all (below capacity, so no queue grows)
  e2e --devices 8 --batch 1000 --durability SYNC --compression on --rate 100000 --warmup 10s --duration 10s --log-max-mib 4
else
  first=--header
  for devices in 1 8; do for durability in SYNC OS_FLUSH; do for compression in on off; do
    e2e $first --devices $devices --batch 1000 --durability $durability --compression $compression \
      --warmup 20s --duration 10s --log-max-mib 4
    first=
  done; done; done
  for compression in on off; do # 60 s warm-up: see the short profile
    e2e --devices 1 --batch 1 --durability SYNC --compression $compression --rate 200 --warmup 60s --duration 10s
  done
  e2e --devices 8 --batch 1 --durability SYNC --compression on --warmup 5s --duration 10s --log-max-mib 4
  # full load, paced below and near capacity (unpaced, the rows above, queue up to the log bound)
  for rate in 100000 200000; do
    e2e --devices 8 --batch 1000 --durability SYNC --compression on --rate $rate --warmup 10s --duration 10s --log-max-mib 4
  done
  # full load, closed loop: as fast as acknowledged, each device with at most one 1,000-object
  # transaction waiting for its acknowledgement (the pipeline's latency at capacity, no log queue)
  e2e --devices 8 --batch 1000 --durability SYNC --compression on --window 1 --warmup 20s --duration 10s --log-max-mib 4
  e2e_xmx --devices 8 --batch 1000 --durability SYNC --compression on --warmup 5s --duration 10s --log-max-mib 4
fi

# ---- memory ---------------------------------------------------------------------------------
: >"$work/memory.md"
memory client
memory server --connections 1000 --sessions 10
if [ "$profile" = full ]; then
  memory client --child-jvm-args "-Xmx256m"
  memory server --connections 1000 --sessions 10 --child-jvm-args "-Xmx256m"
fi

# ---- the demo with -Xmx256m (full profile; server and 8 devices in one 256 MiB heap) ---------------
: >"$work/demo.md"
if [ "$profile" = full ]; then
  cli_jar="$root/cli/target/tributary.jar"
  if [ ! -f "$cli_jar" ]; then
    echo "run.sh: building $cli_jar ..." >&2
    (cd "$root" && mvn -B -ntp -q -pl cli -am package -DskipTests)
  fi
  for i in 1 2; do
    echo "run.sh: demo -Xmx256m, run $i" >&2
    set +e
    java -Xmx256m "-Xlog:gc:file=$work/demo-gc-$i.log" "${java_opts[@]}" -jar "$cli_jar" demo --devices 8 \
      --objects 200000 --progress LINES >"$work/demo-$i.out" 2>/dev/null
    status=$?
    set -e
    {
      echo "Run $i: exit $status"
      echo '```'
      grep -E 'Wrote|VERIFIED|FAILED|Server metrics' "$work/demo-$i.out" || true
      grep 'Pause Full' "$work/demo-gc-$i.log" || echo "(no full GC)"
      echo '```'
      echo
    } >>"$work/demo.md"
  done
fi

finished=$(date +%s)

# ---- report ---------------------------------------------------------------------------------
{
  echo "# Tributary benchmarks: $profile profile, $stamp"
  echo
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M') ; duration $(( (finished - started) / 60 )) min $(( (finished - started) % 60 )) s"
  echo "- commit: $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- JDK: $(java -version 2>&1 | head -1) / $(java -version 2>&1 | sed -n 3p)"
  echo "- CPUs: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
  echo "- load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
  echo "  (other processes share the machine unless the load average is near 0: time figures are noisy, allocation figures are not)"
  echo "- JMH options: ${jmh_opts[*]}"
  echo
  echo "## JMH"
  echo
  java -cp "$jar" io.tributary.benchmarks.report.JmhReport "$work"/jmh-*.json
  echo
  echo "## End to end (client engine -> Netty WebSocket on 127.0.0.1 -> IngestServer -> LMDB sink, one JVM)"
  echo
  cat "$work/e2e.md"
  echo
  echo "Server diagnostics per run (stderr of EndToEnd):"
  echo
  echo '```'
  grep '^e2e: server' "$work/e2e.log" || true
  echo '```'
  echo
  echo "## Memory (child JVMs; heap used after System.gc(), VmRSS)"
  echo
  cat "$work/memory.md"
  if [ -s "$work/demo.md" ]; then
    echo "## tributary demo --devices 8 --objects 200000 with -Xmx256m"
    echo
    cat "$work/demo.md"
  fi
} >"$report"
echo "run.sh: wrote $report" >&2
