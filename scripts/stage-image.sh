#!/usr/bin/env bash
# Lays out the add-on image's own files under OUT_DIR, exactly as they end up in the image:
#   OUT_DIR/app/{package.json,package-lock.json}  the package manifest (ESM "type", version)
#   OUT_DIR/app/dist/                             `npm run build` of a copy of the sources
#   OUT_DIR/app/node_modules/                     production dependencies (`npm ci --omit=dev`)
#   OUT_DIR/etc/s6-overlay/…                      rootfs/ (s6-overlay v3 services)
# The Dockerfile's build stage runs this same script (then `COPY --from=build /stage/ /`), and
# tests/addon/staged-layout.test.ts runs it on CI and starts the services from the result, so
# what is tested is what ships. Needs the repository's dev dependencies installed (tsc).
#
# Usage: scripts/stage-image.sh OUT_DIR
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 64
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

if [[ ! -x "${repo}/node_modules/.bin/tsc" ]]; then
  echo "stage-image: ${repo}/node_modules has no tsc; run 'npm ci' first" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/disk2iso-stage.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

# Build in a copy so the working tree's dist/ is neither used nor touched.
cp "${repo}/package.json" "${repo}/package-lock.json" "${repo}/tsconfig.json" "${repo}/tsconfig.build.json" "${work}/"
cp -R "${repo}/src" "${work}/src"
ln -s "${repo}/node_modules" "${work}/node_modules"
(cd "${work}" && npm run build --silent)

rm -rf "${out}/app"
mkdir -p "${out}/app"
cp "${repo}/package.json" "${repo}/package-lock.json" "${out}/app/"
cp -R "${work}/dist" "${out}/app/dist"

# Install scripts are skipped on purpose: koffi's only one would build from source, while the
# @koromix/koffi-<os>-<cpu> packages already ship glibc and musl prebuilds (musl for Alpine).
(cd "${out}/app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)

cp -R "${repo}/rootfs/." "${out}/"
# s6 needs the run/finish scripts executable even if a checkout lost the mode bits.
find "${out}/etc/s6-overlay/s6-rc.d" -type f \( -name run -o -name finish \) -exec chmod 0755 {} +

echo "stage-image: staged into ${out}"
