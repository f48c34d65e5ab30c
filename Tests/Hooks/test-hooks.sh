#!/usr/bin/env bash
# Commits through the README's git hooks in a scratch repository, as a user would:
#   - the pre-commit framework with this repository's .pre-commit-hooks.yaml
#     (hook cnnc-check-system, and cnnc-check, which SwiftPM builds, with --swift-hook);
#   - the pre-commit framework with the README's `repo: local` configuration;
#   - the plain .git/hooks/pre-commit recipe from the README.
# Each must let through a commit without specs, one that deletes a spec, names with spaces, .yml
# files and non-spec YAML and JSON (package.json, docker-compose.yaml), and stop a commit that
# stages a spec with an error or a warning.
#
# Usage: Tests/Hooks/test-hooks.sh [--swift-hook]
# Needs `pre-commit` and `cnnc` on PATH (CI puts both there), and git.
set -euo pipefail

repository=$(cd "$(dirname "$0")/../.." && pwd)
hooks=(cnnc-check-system)
[[ "${1:-}" == "--swift-hook" ]] && hooks+=(cnnc-check)
command -v pre-commit >/dev/null || { echo "test-hooks: pre-commit is not on PATH" >&2; exit 1; }
command -v cnnc >/dev/null || { echo "test-hooks: cnnc is not on PATH" >&2; exit 1; }

# pre-commit clones the hook repository at a commit: the working tree as it is, committed in a copy.
snapshot=$(mktemp -d)
scratch=$(mktemp -d)
trap 'rm -rf "$snapshot" "$scratch"' EXIT
git -C "$repository" ls-files -z --cached --others --exclude-standard |
    (cd "$repository" && xargs -0 cp --parents -t "$snapshot" 2>/dev/null || true)
git -C "$snapshot" init -q
git -C "$snapshot" add -A
git -C "$snapshot" -c user.name=ci -c user.email=ci@localhost commit -qm snapshot
revision=$(git -C "$snapshot" rev-parse HEAD)

passes=0
failures=0
expect() { # expect pass|fail DESCRIPTION COMMAND...
    local want=$1 what=$2
    shift 2
    if "$@" >"$scratch/last.log" 2>&1; then got=pass; else got=fail; fi
    if [[ "$got" == "$want" ]]; then
        echo "ok: $what"
        passes=$((passes + 1))
    else
        echo "FAILED: $what (expected the commit to $want)"
        sed 's/^/    /' "$scratch/last.log"
        failures=$((failures + 1))
    fi
}

valid='input: {shape: [8, 8, 1]}
layers:
  - {type: conv2d, filters: 4, kernel_size: 3, activation: relu}
  - {type: flatten}
  - {type: dense, units: 2, activation: softmax}'
broken='input: {shape: [8, 8, 1]}
layers:
  - {type: dense, units: 2}'
warning='input: {shape: [4]}
layers:
  - {type: dense, units: 4, activation: relu}
  - {type: activation, activation: relu}'

# Runs the scenarios in a new repository whose pre-commit hook $1 installs.
scenarios() {
    local name=$1 install=$2 work="$scratch/$1"
    mkdir -p "$work"
    cd "$work"
    git init -q
    git config user.name ci
    git config user.email ci@localhost
    $install
    commit() { git commit -qm "$1"; }

    echo "# $name"
    echo "notes" > README.md && git add README.md
    expect pass "$name: a commit without specs" commit "readme"
    printf '%s\n' "$valid" > "my model.yaml" && printf '%s\n' "$valid" > net.yml
    echo '{"name": "web", "version": "1.0.0", "scripts": {}}' > package.json
    printf 'services:\n  web: {image: "nginx:1"}\n' > docker-compose.yaml
    git add -A
    expect pass "$name: valid specs (a space in a name, .yml) beside package.json and docker-compose.yaml" commit "specs"
    git rm -q net.yml
    expect pass "$name: a commit that deletes a spec" commit "delete"
    printf '%s\n' "$broken" > "bad model.yml" && git add "bad model.yml"
    expect fail "$name: a .yml spec with an error" commit "broken"
    cp "$scratch/last.log" "$scratch/broken.log"
    expect pass "$name: the error names the file and line" grep -q "bad model.yml:3:12: error" "$scratch/broken.log"
    git rm -q --cached "bad model.yml" && rm "bad model.yml"
    printf '%s\n' "$warning" > lint.yaml && git add lint.yaml
    expect fail "$name: a spec with a warning (--warnings-as-errors)" commit "warning"
    cd "$scratch"
}

for hook in "${hooks[@]}"; do
    install_framework() {
        printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n' "$snapshot" "$revision" "$hook" > .pre-commit-config.yaml
        git add .pre-commit-config.yaml
        PRE_COMMIT_HOME="$scratch/cache" pre-commit install >/dev/null
        PRE_COMMIT_HOME="$scratch/cache" pre-commit install-hooks >/dev/null
    }
    export PRE_COMMIT_HOME="$scratch/cache"
    scenarios "pre-commit-$hook" install_framework
done

install_local() {
    # The README's local pre-commit configuration, word for word between the markers.
    sed -n '/<!-- pre-commit-local:start -->/,/<!-- pre-commit-local:end -->/p' "$repository/README.md" | sed '1,2d;$d' | sed '$d' > .pre-commit-config.yaml
    grep -q "repo: local" .pre-commit-config.yaml || { echo "test-hooks: no local pre-commit configuration in README.md" >&2; exit 1; }
    git add .pre-commit-config.yaml
    pre-commit install >/dev/null
}
scenarios "pre-commit-local" install_local

install_plain() {
    # The README's recipe, word for word between the markers.
    sed -n '/<!-- git-hook:start -->/,/<!-- git-hook:end -->/p' "$repository/README.md" | sed '1,2d;$d' | sed '$d' > .git/hooks/pre-commit
    chmod +x .git/hooks/pre-commit
    grep -q "cnnc check" .git/hooks/pre-commit || { echo "test-hooks: no git-hook recipe in README.md" >&2; exit 1; }
}
scenarios "plain-git-hook" install_plain

echo "hooks: $passes passed, $failures failed"
exit $((failures > 0))
