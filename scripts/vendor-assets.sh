#!/usr/bin/env bash
# Re-fetches the vendored front-end assets and region data from the npm registry, at the pinned
# versions, into the places the project serves them from. The files are committed; run this only
# to upgrade (change a version below) or to check that the committed copies are unmodified.
set -euo pipefail
cd "$(dirname "$0")/.."
PICO=@picocss/pico@2.1.1
HTMX=htmx.org@2.0.8
AREA=idn-area-data@4.0.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PICO" "$HTMX" "$AREA" >/dev/null)
for tgz in "$work"/*.tgz; do mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"; done

pico="$work/picocss-pico-2.1.1/package"
htmx="$work/htmx.org-2.0.8/package"
area="$work/idn-area-data-4.0.1/package"
cp "$pico/css/pico.min.css" "$pico/LICENSE.md" static/vendor/pico/
cp "$htmx/dist/htmx.min.js" "$htmx/LICENSE" static/vendor/htmx/
cp "$area"/data/{provinces,regencies,districts,villages}.csv "$area/data/LICENSE.md" prakerja/regions/data/
cp "$area/LICENSE" prakerja/regions/data/PACKAGE-LICENSE
git status --short static/vendor prakerja/regions/data
echo "vendored: $PICO $HTMX $AREA"
