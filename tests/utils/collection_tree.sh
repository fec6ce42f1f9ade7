#!/usr/bin/env bash
# Copy the collection's files (tracked plus new, not ignored) into <dest>/ansible_collections/ddops/datadog.
# ansible-test needs the collection to sit physically at that path; a symlink is refused.
set -euo pipefail
dest=${1:?usage: collection_tree.sh <dest>}
top=$(git rev-parse --show-toplevel)
tree="$dest/ansible_collections/ddops/datadog"
rm -rf "$tree"
mkdir -p "$tree"
cd "$top"
git ls-files -co --exclude-standard -z \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null -T - -cf - \
  | tar -xf - -C "$tree"
# ansible-test lists content through git: inside this repository's (ignored) .build/ it would see nothing, so
# the copy is a repository of its own, where every file counts as untracked but listed.
git init -q "$tree"
echo "$tree"
