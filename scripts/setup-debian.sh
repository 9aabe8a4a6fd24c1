#!/usr/bin/env bash
# The Debian packages the tests need, installed only when missing (sudo only when not root):
# - kubectl (kubernetes-client): test/kubectl.test.ts checks the loopback API server against it;
# - prometheus and promtool: test/prometheus.test.ts runs a real Prometheus. The tests start their
#   own on a free 127.0.0.1 port and never use the package's service.
set -euo pipefail
sudo_or_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v kubectl >/dev/null || missing+=(kubernetes-client)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_or_root apt-get update -qq
  sudo_or_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
kubectl version --client 2>&1 | sed -n 1p
prometheus --version 2>&1 | sed -n 1p
