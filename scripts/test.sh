#!/usr/bin/env bash
# The README's test command: install chipgraph with its test extras into ./.venv, install the
# system packages the integration tests need (headless Chromium, Virtuoso), run the static checks
# (ruff, ruff format, import-linter, mypy), then pytest with the doctests of graph/.
# Idempotent: a second run installs nothing new. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi

# System packages for the browser and SPARQL-server tests (root on CI and dev machines).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
# CJK fonts so that screenshots of the site show Chinese and Korean labels, not boxes.
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
# SCRAM, the fault-tree tool that checks chipgraph's cut sets on the Open-PSA export (tests/test_openpsa_scram.py).
command -v scram >/dev/null 2>&1 || need+=(scram)
# PyICU (through followthemoney, the ftm extra in the test extras) builds against ICU with a C++ compiler
pkg-config --exists icu-uc 2>/dev/null || need+=(libicu-dev pkg-config)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: cannot install ${need[*]} without root; their tests will be skipped" >&2
  fi
fi

# Static checks first: they take seconds and name the file and line of every problem.
# the notebook extra too, so the README tutorial (pandas, matplotlib) runs in the tests
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,notebook]'

echo "checks: ruff, ruff format, import-linter, mypy" >&2
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
.venv/bin/mypy

exec .venv/bin/python -m pytest "$@"
