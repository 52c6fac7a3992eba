#!/usr/bin/env bash
# The tools the tests need beyond the three servers, installed when missing:
#   apt: bubblewrap + socat (the bwrap sandbox and its egress bridge), nginx-light (the load-balancer test)
#   npm: the pinned Claude Code, opencode and Codex CLIs under .loopy/tools (the claude-code, opencode and codex
#        harnesses run the real CLIs against loopback mocks of the model APIs)
#
#   eng/tools.sh install      install what is missing (apt needs root; npm needs the npm registry)
#   eng/tools.sh env          print export lines: LOOPY_TEST_CLAUDE, LOOPY_TEST_OPENCODE, LOOPY_TEST_CODEX (paths of the pinned binaries)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${LOOPY_TOOLS_DIR:-$ROOT/.loopy/tools}
CLAUDE_CODE_VERSION=2.1.330
OPENCODE_VERSION=1.18.33
CODEX_VERSION=0.169.0

log() { echo "[tools] $*" >&2; }
die() { echo "[tools] error: $*" >&2; exit 1; }
# shellcheck source=eng/apt.sh
. "$ROOT/eng/apt.sh"

install_apt() {
  local need=()
  command -v bwrap >/dev/null || need+=(bubblewrap)
  command -v socat >/dev/null || need+=(socat)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v setpriv >/dev/null || need+=(util-linux)
  command -v npm >/dev/null || need+=(nodejs npm)
  apt_install "${need[@]}"
}

claude_bin() { echo "$TOOLS/node_modules/.bin/claude"; }
opencode_bin() { echo "$TOOLS/node_modules/.bin/opencode"; }
codex_bin() { echo "$TOOLS/node_modules/.bin/codex"; }

# install_npm PACKAGE VERSION BINARY EXPECTED: installs PACKAGE@VERSION under $TOOLS unless BINARY --version already
# prints EXPECTED (first line).
install_npm() {
  local package=$1 version=$2 bin=$3 expected=$4
  if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null | head -n 1)" = "$expected" ]; then
    return 0
  fi
  log "installing $package@$version (npm)"
  mkdir -p "$TOOLS"
  # opencode's postinstall script links the platform's binary (an optional dependency) as bin/opencode.exe.
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error "$package@$version" >/dev/null)
  "$bin" --version >/dev/null || die "$package did not install"
  # The sandbox runs agents as an unprivileged user: the binaries must be reachable by everyone.
  chmod -R a+rX "$TOOLS"
}

install_clis() {
  install_npm @anthropic-ai/claude-code "$CLAUDE_CODE_VERSION" "$(claude_bin)" "$CLAUDE_CODE_VERSION (Claude Code)"
  install_npm opencode-ai "$OPENCODE_VERSION" "$(opencode_bin)" "$OPENCODE_VERSION"
  install_npm @openai/codex "$CODEX_VERSION" "$(codex_bin)" "codex-cli $CODEX_VERSION"
}

case "${1:-}" in
  install) install_apt; install_clis; log "tools ready" ;;
  env) echo "export LOOPY_TEST_CLAUDE=$(claude_bin)"; echo "export LOOPY_TEST_OPENCODE=$(opencode_bin)"; echo "export LOOPY_TEST_CODEX=$(codex_bin)" ;;
  *) echo "usage: $0 install|env" >&2; exit 2 ;;
esac
