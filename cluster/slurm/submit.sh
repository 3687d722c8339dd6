#!/bin/bash
# Submit the whole reproduction to Slurm: pretrain → one array task per cell → report.
#   LAB_ARGS="--preset quick --seeds 3 --out results/reproduce" cluster/slurm/submit.sh
# Run it from the repository checkout on the shared file system (npm ci done there once).
set -euo pipefail
export LAB_DIR="${LAB_DIR:-$(pwd)}"
export LAB_ARGS="${LAB_ARGS:---preset quick --seeds 1}"
export LAB_CACHE_DIR="${LAB_CACHE_DIR:-$LAB_DIR/.cache}"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck disable=SC2086
n=$(npm run --silent reproduce -- $LAB_ARGS --list-cells | wc -l)
pre=$(sbatch --parsable --export=ALL "$here/pretrain.sbatch")
arr=$(sbatch --parsable --export=ALL --dependency="afterok:$pre" --array="0-$((n - 1))" "$here/reproduce.sbatch")
rep=$(sbatch --parsable --export=ALL --dependency="afterany:$arr" "$here/report.sbatch")
echo "submitted: pretrain $pre, $n cells as array $arr, report $rep"
