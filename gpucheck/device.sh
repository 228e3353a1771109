#!/usr/bin/env bash
# The GPU check, as run on the GPU machine (through the `device` tool) from the
# staging folder `./dev gpucheck` fills. Everything it makes lives under $W;
# what comes back is in $OUT: report.md, results.json, comfyui.log, check.log.
#   bash .gpucheck/device.sh [ONLY]    ONLY: run only labels containing it
set -uo pipefail
S=$(cd "$(dirname "$0")" && pwd)
W=${GPUCHECK_WORK:-/tmp/gpucheck}
OUT=${OUT:-$W/out}
ONLY=${1:-}
PORT=8188
mkdir -p "$W" "$OUT"
exec > >(tee -a "$OUT/check.log") 2>&1
t0=$(date +%s)
say() { echo "[gpucheck +$(($(date +%s) - t0))s] $*"; }

say "machine: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -1); $(python3 --version 2>&1)"
df -h "$W" /dev/shm 2>/dev/null | tail -n +2
rm -rf "$W/ComfyUI" && tar -xzf "$S/comfyui.tar.gz" -C "$W" || { say "cannot unpack ComfyUI"; exit 1; }
say "ComfyUI $(sed -n 's/^__version__ = //p' "$W/ComfyUI/comfyui_version.py") unpacked"
cp -r "$S/py/gpucheck_av_shim" "$W/ComfyUI/custom_nodes/"
mkdir -p "$W/web" && echo '<!doctype html><title>gpucheck</title>' >"$W/web/index.html"

# ComfyUI starts while the weights are made (its model lists are read per prompt).
( cd "$W/ComfyUI" && exec python3 -u "$S/py/launch_comfyui.py" "$W/ComfyUI" --listen 127.0.0.1 --port $PORT \
	--front-end-root "$W/web" --disable-auto-launch --disable-api-nodes --log-stdout --preview-method none ) \
	>"$OUT/comfyui.log" 2>&1 &
COMFY=$!
trap 'kill $COMFY 2>/dev/null; wait $COMFY 2>/dev/null' EXIT

KINDS=$("$S/gpucheck" manifest | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["kinds"]))')
say "weights to make: $KINDS"
python3 -u "$S/py/make_weights.py" "$W/ComfyUI" "$W/weights" $KINDS || { say "making weights FAILED"; exit 1; }
python3 -u "$S/py/make_inputs.py" "$W/inputs" || say "making inputs FAILED"
export HF_HUB_CACHE=$W/hub HF_HUB_OFFLINE=1 LTX_STUDIO_HOME=$W/home
"$S/gpucheck" cache -weights "$W/weights" -comfyui "$W/ComfyUI" || { say "placing weights FAILED"; exit 1; }

for i in $(seq 1 240); do
	python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/system_stats', timeout=2)" 2>/dev/null && break
	kill -0 $COMFY 2>/dev/null || { say "ComfyUI exited"; tail -40 "$OUT/comfyui.log"; exit 1; }
	sleep 1
done
say "ComfyUI answers on 127.0.0.1:$PORT"
"$S/gpucheck" run -url "http://127.0.0.1:$PORT" -comfyui "$W/ComfyUI" -log "$OUT/comfyui.log" \
	-inputs "$W/inputs" -out "$W/results" -only "$ONLY"
rc=$?
{
	echo
	echo "Synthetic weights (made on this machine from ComfyUI's classes, random):"
	grep -h '^weights ' "$OUT/check.log" | sed 's/^/- /'
	echo
	echo "Stand-ins (test-only, from ComfyUI's log):"
	grep -h -e 'gpucheck substitution: ' -e '^gpucheck: ' "$OUT/comfyui.log" | sed 's/\x1b\[[0-9;]*m//g; s/^.*gpucheck substitution: /- /; s/^gpucheck: /- /'
} >>"$W/results/report.md"
cp "$W/results/report.md" "$W/results/results.json" "$OUT/" 2>/dev/null
# Two of the videos, to look at (MJPEG + PCM: any player that takes MP4/MOV).
for v in "$W"/results/*-t2v-fast-fp8.mp4 "$W"/results/*-style-fast-fp8.mp4; do [ -f "$v" ] && cp "$v" "$OUT/"; done
say "done (rc $rc)"
cat "$OUT/report.md" 2>/dev/null
exit $rc
