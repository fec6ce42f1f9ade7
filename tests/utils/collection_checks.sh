#!/usr/bin/env bash
# What users and Galaxy run on the collection: ansible-doc of every plugin and role, the module payloads, antsibull-docs lint,
# ansible-galaxy build + galaxy-importer on the tarball, ansible-builder introspect, a playbook run from
# the tarball installed into a clean path (against the local emulator), and docs/testing-your-playbooks.md followed
# as written from the tarball.
# Usage: collection_checks.sh <collection tree> <work dir>; the venv's bin must be first on PATH.
set -euo pipefail
tree=${1:?collection tree}
work=${2:?work dir}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH=$(cd "$tree/../../.." && pwd)

echo "== ansible-doc: every plugin and role (a warning fails the check)"
count=0
doc() {
  if ! ansible-doc -t "$1" "ddops.datadog.$2" >"$work/doc.out" 2>"$work/doc.err" || grep -q . "$work/doc.err"; then
    cat "$work/doc.err"; echo "ansible-doc -t $1 ddops.datadog.$2 failed"; exit 1
  fi
  count=$((count + 1))
}
for path in "$tree"/plugins/modules/*.py; do doc module "$(basename "$path" .py)"; done
for path in "$tree"/plugins/lookup/*.py; do [ -e "$path" ] && doc lookup "$(basename "$path" .py)"; done
for path in "$tree"/plugins/filter/*.py; do [ -e "$path" ] && doc filter "$(basename "$path" .py)"; done
for path in "$tree"/roles/*/; do doc role "$(basename "$path")"; done
listed=$(ansible-doc -t module -l ddops.datadog | wc -l)
echo "ansible-doc rendered $count plugins/roles; $listed modules listed"

echo "== module payloads: each module ships only the collection code it uses"
python "$here/module_payloads.py" "$ANSIBLE_COLLECTIONS_PATH"

echo "== antsibull-docs lint-collection-docs"
(cd "$tree" && antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .)

echo "== ansible-galaxy collection build + galaxy-importer"
# Built from a copy of the tree that also holds what development leaves in a working copy (pip install -e of the
# emulator, bytecode, test caches, venvs, logs, earlier tarballs): the tarball must carry only files git tracks
# (or would track: new files not ignored), whatever else lies around. galaxy.yml's build_ignore keeps the rest out.
source="$work/source"
cp -a "$tree" "$source"
generated=(
  tests/emulator/ddops_datadog_emulator.egg-info/PKG-INFO tests/emulator/build/lib/dd_emulator/server.py
  plugins/module_utils/__pycache__/_api.cpython-311.pyc tests/emulator/dd_emulator/__pycache__/server.cpython-312.pyc
  tests/unit/plugins/module_utils/test_compare.pyc .pytest_cache/v/cache/nodeids tests/emulator/.pytest_cache/README.md
  .hypothesis/examples/0a1b/2c3d tests/output/junit/python3.11-units.xml tests/integration/integration_config.yml
  .venv-tools/pyvenv.cfg .build-latest/bench.json .build-main.log .cache/pip/x importer_result.json
  ddops-datadog-0.0.9.tar.gz
)
for path in "${generated[@]}"; do mkdir -p "$source/$(dirname "$path")" && echo generated >"$source/$path"; done
(cd "$source" && ansible-galaxy collection build --force --output-path "$work" >/dev/null)
tarball=$(ls "$work"/ddops-datadog-*.tar.gz)
tracked=$(git -C "$here/../.." ls-files --cached --others --exclude-standard; printf '%s\n' MANIFEST.json FILES.json)
untracked=$(tar -tzf "$tarball" | grep -v '/$' | grep -vxF -f <(printf '%s\n' "$tracked") || true)
if [ -n "$untracked" ]; then
  echo "$untracked"; echo "the tarball carries the files above, which git does not track (add them to build_ignore in galaxy.yml)"
  exit 1
fi
echo "tarball: $(tar -tzf "$tarball" | grep -vc '/$') files, all tracked by git (${#generated[@]} generated files around it left out)"
(cd "$work" && python -m galaxy_importer.main "$tarball") >"$work/importer.log" 2>&1 || { cat "$work/importer.log"; exit 1; }
if grep -E "^(ERROR|WARNING)" "$work/importer.log"; then
  echo "galaxy-importer reported the lines above"; exit 1
fi
echo "galaxy-importer: $(grep -c '^Loading' "$work/importer.log") contents loaded, no errors or warnings"
if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.build|\.ci|benchmarks|tests/output)/'; then
  echo "the tarball contains development-only files (see above)"; exit 1
fi

echo "== ansible-builder introspect"
ansible-builder introspect --sanitize "$(cd "$tree/../../.." && pwd)" >"$work/introspect.txt"
grep -q "requests>=2.32.0.*from collection ddops.datadog" "$work/introspect.txt" || { cat "$work/introspect.txt"; echo "requests>=2.32.0 missing"; exit 1; }
grep -q "urllib3>=1.26.0.*from collection ddops.datadog" "$work/introspect.txt" || { cat "$work/introspect.txt"; echo "urllib3>=1.26.0 missing"; exit 1; }
grep -A3 "python:" "$work/introspect.txt" | head -4

echo "== install the tarball into a clean path and run a playbook from it"
# The play runs on the implicit localhost, as a user's would: no inventory, so none of the warnings about one.
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --force -p "$work/installed" "$tarball" >/dev/null
ANSIBLE_COLLECTIONS_PATH="$work/installed" ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_LOCALHOST_WARNING=false \
  python "$here/emulated.py" -- ansible-playbook ddops.datadog.demo

echo "== docs/testing-your-playbooks.md as written: from the tarball, the emulator pip-installed into a fresh venv"
python "$here/testing_page_check.py" "$tarball" "$work/testing-page"

echo "== Event-Driven Ansible: the event source loads from the installed tarball in a clean interpreter"
listing=$(tar -tzf "$tarball")
for path in extensions/eda/plugins/event_source/audit_events.py extensions/eda/rulebooks/restore_deleted_action_connections.yml \
            playbooks/restore_action_connection.yml; do
  grep -qx "$path" <<<"$listing" || { echo "$path is missing from the tarball"; exit 1; }
done
(cd / && env -u PYTHONPATH -u ANSIBLE_COLLECTIONS_PATH python -c 'import runpy, sys
runpy.run_path(sys.argv[1])
print("ddops.datadog.audit_events loaded; its module_utils from", sys.modules["ansible_collections.ddops.datadog.plugins.module_utils._api"].__file__)' \
  "$work/installed/ansible_collections/ddops/datadog/extensions/eda/plugins/event_source/audit_events.py")

echo "== AWX: an ansible-runner job with only the shipped credential type's environment injected"
python "$here/awx_runner_check.py" "$work/installed" "$work/awx"
