#!/usr/bin/env bash
# The multi-GPU check on a machine with two or more GPUs (the `nvidia-h200-x2`
# device kind), from the staging folder `./dev gpucheck` fills (copy this file
# there: cp gpucheck/pool.sh .gpucheck/). One real ComfyUI per GPU, pinned
# with --cuda-device as the app pins its managed ones, sharing one install,
# the synthetic weights and input/; then `gpucheck pool`: a warm-up job per
# GPU, N jobs on one GPU, the same N on all, through the app's job engine.
# What comes back is in $OUT: pool.json, comfyui-gpuN.log, pool.log.
#   bash .gpucheck/pool.sh [JOBS]
set -uo pipefail
S=$(cd "$(dirname "$0")" && pwd)
W=${GPUCHECK_WORK:-/tmp/gpucheck}
OUT=${OUT:-$W/out}
JOBS=${1:-4}
mkdir -p "$W" "$OUT"
exec > >(tee -a "$OUT/pool.log") 2>&1
t0=$(date +%s)
say() { echo "[pool +$(($(date +%s) - t0))s] $*"; }

NGPU=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
say "GPUs: $NGPU"; nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader
[ "$NGPU" -ge 2 ] || { say "needs two GPUs"; exit 1; }
rm -rf "$W/ComfyUI" && tar -xzf "$S/comfyui.tar.gz" -C "$W" || { say "cannot unpack ComfyUI"; exit 1; }
cp -r "$S/py/gpucheck_av_shim" "$W/ComfyUI/custom_nodes/"
mkdir -p "$W/web" && echo '<!doctype html><title>gpucheck</title>' >"$W/web/index.html"

PIDS=()
URLS=()
for g in 0 1; do
	port=$((8188 + g)); own="$W/gpu$g"; mkdir -p "$own/user" "$own/temp" "$own/output"
	( cd "$W/ComfyUI" && CUDA_DEVICE_ORDER=PCI_BUS_ID exec python3 -u "$S/py/launch_comfyui.py" "$W/ComfyUI" \
		--listen 127.0.0.1 --port $port --cuda-device $g \
		--user-directory "$own/user" --temp-directory "$own/temp" --output-directory "$own/output" \
		--front-end-root "$W/web" --disable-auto-launch --disable-api-nodes --log-stdout --preview-method none ) \
		>"$OUT/comfyui-gpu$g.log" 2>&1 &
	PIDS+=($!); URLS+=("http://127.0.0.1:$port")
done
trap 'kill ${PIDS[*]} 2>/dev/null; wait ${PIDS[*]} 2>/dev/null' EXIT

KINDS=$("$S/gpucheck" manifest | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["kinds"]))')
python3 -u "$S/py/make_weights.py" "$W/ComfyUI" "$W/weights" $KINDS || say "making weights FAILED"
export HF_HUB_CACHE=$W/hub HF_HUB_OFFLINE=1 LTX_STUDIO_HOME=$W/home
"$S/gpucheck" cache -weights "$W/weights" -comfyui "$W/ComfyUI" || say "placing weights FAILED"

for u in "${URLS[@]}"; do
	for i in $(seq 1 240); do
		python3 -c "import urllib.request; urllib.request.urlopen('$u/system_stats', timeout=2)" 2>/dev/null && break
		sleep 1
	done
	say "ComfyUI answers at $u"
done
( while sleep 2; do nvidia-smi --query-gpu=index,memory.used,utilization.gpu --format=csv,noheader | tr '\n' ' '; echo; done ) >"$OUT/gpu-usage.log" 2>&1 &
SMI=$!
"$S/gpucheck" pool -urls "$(IFS=,; echo "${URLS[*]}")" -comfyui "$W/ComfyUI" -out "$W/results" -jobs "$JOBS" ${POOL_ARGS:-}
rc=$?
kill $SMI 2>/dev/null
cp "$W/results/pool.json" "$OUT/" 2>/dev/null
say "done (rc $rc)"
exit $rc
