#!/usr/bin/env bash
# Refresh every app's Swedish catalogue from the source, then compile them all.
# Usage: scripts/i18n.sh [app ...]   (default: every app under src/kanelbulle that has a locale/ folder)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=kanelbulle.settings
export KANELBULLE_DATA_DIR=${KANELBULLE_DATA_DIR:-$(mktemp -d)}
apps=("$@")
if [ ${#apps[@]} -eq 0 ]; then
  for d in src/kanelbulle/*/locale; do apps+=("$(basename "$(dirname "$d")")"); done
fi
for app in "${apps[@]}"; do
  mkdir -p "src/kanelbulle/$app/locale"
  (cd "src/kanelbulle/$app" && "$OLDPWD/$PY" -m django makemessages -l sv --no-obsolete --no-location >/dev/null \
     && "$OLDPWD/$PY" -m django compilemessages -l sv >/dev/null)
done
echo "catalogues refreshed: ${apps[*]}"
