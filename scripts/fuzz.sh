#!/usr/bin/env bash
# Coverage-guided fuzzing of one target for a bounded time, with SharpFuzz 2.3.0 and Debian's afl++.
#
#   apt-get install -y afl++ && dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
#   scripts/fuzz.sh image 600        # targets: image jsonl parquet pickle coco manifest
#
# Publishes GroundingWeb.Fuzz, instruments the libraries that read untrusted bytes (ours, ImageSharp,
# Parquet.Net, Razorvine.Pickle), runs afl-fuzz from fuzz/corpus/TARGET for SECONDS and prints the
# execs, time and findings. Findings land in artifacts/fuzz/findings/TARGET/default/crashes; a real one
# is fixed and its input copied to fuzz/crashers/TARGET/, which the tests replay with the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-300}
app=artifacts/fuzz/app
export PATH="$PATH:$HOME/.dotnet/tools"

rm -rf "$app"
dotnet publish GroundingWeb.Fuzz -c Release -o "$app" --nologo -v quiet >&2
for library in GroundingWeb.Inference GroundingWeb.Evaluation SixLabors.ImageSharp Parquet Razorvine.Pickle; do
  sharpfuzz "$app/$library.dll" >&2
done

findings=artifacts/fuzz/findings/$target
rm -rf "$findings"
mkdir -p "$(dirname "$findings")"
# dotnet itself is not instrumented (SharpFuzz instruments the assemblies): skip afl's binary check.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -t 10000 -m none -V "$seconds" \
  -- dotnet "$app/GroundingWeb.Fuzz.dll" "$target" >&2 || true

stats="$findings/default/fuzzer_stats"
[ -f "$stats" ] || { echo "afl-fuzz wrote no stats: see its output above" >&2; exit 1; }
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "$target: $(field execs_done) execs in $(field run_time) s ($(field execs_per_sec)/s), $(field corpus_count) corpus entries, $(field saved_crashes) crash(es), $(field saved_hangs) hang(s)"
