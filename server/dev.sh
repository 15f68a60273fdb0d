#!/usr/bin/env bash
# One entry point for a fresh machine: sets up what is needed, then serves or tests.
#   bash server/dev.sh serve [ozg-kg serve options]   # endpoint on the embedded default store
#   bash server/dev.sh test  [pytest options]         # the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv

setup_python() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e '.[test]'
}

# System tools the tests drive for real (Graphviz renders our DOT export).
setup_test_tools() {
    local missing=()
    command -v dot >/dev/null || missing+=(graphviz)
    if [ ${#missing[@]} -gt 0 ]; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

command="${1:-}"
shift || true
case "$command" in
    serve)
        setup_python
        exec "$VENV/bin/ozg-kg" serve "$@"
        ;;
    test)
        setup_python
        setup_test_tools
        exec "$VENV/bin/pytest" "$@"
        ;;
    *)
        echo "usage: bash server/dev.sh serve|test [options]" >&2
        exit 2
        ;;
esac
