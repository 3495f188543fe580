#!/usr/bin/env bash
# Installs what ckpt needs on a fresh Debian machine (python-native kind).
# Idempotent: each step is skipped when already satisfied, so re-runs cost
# a few seconds. Usage: scripts/setup.sh [--no-python]
set -euo pipefail

APT_PACKAGES=(g++ cmake ninja-build pkg-config libleveldb-dev libsnappy-dev libprotobuf-dev protobuf-compiler
              libisal-dev libgtest-dev)
PIP_PACKAGES=(numpy pytest tensorflow-cpu)

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
  need=()
  $PY -c "import numpy" 2>/dev/null || need+=(numpy)
  $PY -c "import pytest" 2>/dev/null || need+=(pytest)
  $PY -c "import tensorflow" 2>/dev/null || need+=(tensorflow-cpu)
  if ((${#need[@]})); then
    echo "setup: installing Python packages: ${need[*]}"
    $PY -m pip install -q "${need[@]}"
  fi
fi
echo "setup: dependencies satisfied"
