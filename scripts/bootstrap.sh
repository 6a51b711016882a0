#!/usr/bin/env bash
# Set up the project's virtual environment; safe to run again (does nothing when up to date).
#   1. find a Python >= 3.12 (mesa 3.5 needs it) by running candidates
#   2. create $VENV (default .venv in the repo root) if missing or unusable
#   3. pip install -e ".[dev]" unless pyproject.toml is unchanged since the last install
#   4. put Solara's front-end files in the venv so the app works without internet
# Environment: VENV=<dir> (other venv location), PYTHON=<interpreter> (skip the search).
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
STAMP="$VENV/.abm-bootstrap.stamp"

say() { echo "bootstrap: $*"; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

# Prints "X.Y" and succeeds if "$1" runs, is Python >= 3.12 and can create a venv with pip.
py_ok() {
    "$1" -c 'import sys, venv, ensurepip
assert sys.version_info >= (3, 12)
print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

find_python() {
    local candidates=() root
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    candidates+=(python3.13 python3.12 python3)
    # pyenv's shims fail unless the version is selected, so also try its interpreters directly
    root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for v in 3.13 3.12; do
        while IFS= read -r p; do candidates+=("$p"); done < <(
            ls -d "$root"/versions/"$v"*/bin/python3 2>/dev/null | sort -rV)
    done
    for c in "${candidates[@]}"; do
        if py_ok "$c" >/dev/null; then command -v "$c"; return 0; fi
    done
    return 1
}

# Why $VENV cannot be used as it is, or nothing if it can.
venv_problem() {
    [ -x "$VENV/bin/python" ] || { echo "it has no bin/python"; return; }
    py_ok "$VENV/bin/python" >/dev/null || { echo "its python does not run or is older than 3.12"; return; }
    # a venv copied or cloned from elsewhere keeps that place's absolute paths in its scripts
    local here real shebang
    here=$(cd "$VENV" && pwd); real=$(cd "$VENV" && pwd -P)
    shebang=$(head -n1 "$VENV/bin/pip" 2>/dev/null || true)
    case "$shebang" in
        "#!$here/bin/python"* | "#!$real/bin/python"*) ;;
        *) echo "it was made for another place (bin/pip starts with '$shebang')" ;;
    esac
}

# --- 1+2: the venv ---------------------------------------------------------------------
problem=""
[ -e "$VENV" ] && problem=$(venv_problem)
if [ -e "$VENV" ] && [ -z "$problem" ]; then
    say "using existing venv $VENV (Python $(py_ok "$VENV/bin/python"))"
else
    if [ -e "$VENV" ]; then
        [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists but is not a venv (no pyvenv.cfg): move it away or set VENV=<other dir>"
        say "recreating $VENV: $problem"
        rm -rf "$VENV"
    fi
    PY=$(find_python) || die "no working Python >= 3.12 (with venv/ensurepip) found; tried \$PYTHON, python3.13, python3.12, python3 and pyenv's 3.13*/3.12* - install one (e.g. pyenv install 3.12) or set PYTHON=/path/to/python3.12"
    say "creating $VENV with $PY (Python $(py_ok "$PY"))"
    "$PY" -m venv "$VENV"
fi

# --- 3: the package and its dev extra -------------------------------------------------
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    say "dependencies up to date (pyproject.toml unchanged)"
else
    start=$SECONDS
    say "upgrading pip"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    say "installing the project: pip install -e \".[dev]\" (first time takes a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    echo "$want" > "$STAMP"
    say "installed in $((SECONDS - start)) s"
fi

# --- 4: Solara's front-end files for offline use ---------------------------------------
"$VENV/bin/python" scripts/solara_offline_assets.py
say "ready: $VENV"
