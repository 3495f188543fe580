#!/usr/bin/env bash
# Installs what ckpt needs on a fresh Debian machine (python-native kind).
# Idempotent: each step is skipped when already satisfied, so re-runs cost
# a few seconds. Usage: scripts/setup.sh [--no-python]
set -euo pipefail

APT_PACKAGES=(g++ cmake ninja-build pkg-config libleveldb-dev libsnappy-dev libprotobuf-dev protobuf-compiler
              libisal-dev libgtest-dev libopenmpi-dev openmpi-bin)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  case $p in  # cmake and ninja may come from pip instead: that is fine too
    cmake) command -v cmake >/dev/null && continue ;;
    ninja-build) command -v ninja >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if [ "${1:-}" != "--no-python" ]; then
  PY=${PYTHON:-python3}
  # module to import -> pip requirement. torch==2.13.0 resolves to the CPU
  # build this machine kind carries; jax, torch and safetensors are test
  # peers only (the library never imports them). mpi4py >= 4.1: its wheels
  # load the system's libmpi (Open MPI above) at run time, no source build;
  # ckpt.distributed.from_mpi4py uses it when the caller has it.
  # orbax-checkpoint and matplotlib only serve bench/peers (its smoke test runs
  # in the test command).
  need=()
  while read -r mod req; do
    $PY -c "import $mod" 2>/dev/null || need+=("$req")
  done <<'PKGS'
numpy numpy
pytest pytest
tensorflow tensorflow-cpu
nanobind nanobind
scikit_build_core scikit-build-core
ml_dtypes ml_dtypes
safetensors safetensors
torch torch==2.13.0
jax jax
optax optax
mypy mypy
mpi4py mpi4py>=4.1
orbax.checkpoint orbax-checkpoint==0.12.8
matplotlib matplotlib==3.11.2
PKGS
  if ((${#need[@]})); then
    echo "setup: installing Python packages: ${need[*]}"
    $PY -m pip install -q "${need[@]}"
  fi
fi
echo "setup: dependencies satisfied"
