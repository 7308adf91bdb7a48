#!/usr/bin/env bash
# Lays out the add-on image's own files under OUT_DIR, exactly as they end up in the image:
#   OUT_DIR/app/{package.json,package-lock.json}  the package manifest (ESM "type", version)
#   OUT_DIR/app/dist/                             the compiled sources
#   OUT_DIR/app/node_modules/                     production dependencies only (`npm ci --omit=dev`)
#   OUT_DIR/etc/s6-overlay/…                      rootfs/ (s6-overlay v3 services)
# The Dockerfile's build stage runs this script (then `COPY --from=build /stage/ /`), and
# `npm run test:image` runs it into the root filesystem it boots, so what is tested is what ships.
#
# It installs only what compiling needs: the production dependencies (their types) and
# image/compiler (TypeScript, Node's types and esbuild, pinned to the versions of package-lock.json).
# No test runner, linter or browser driver is installed. Needs node and npm, and the npm
# registry or a warm npm cache.
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

npm_ci() {
  # Install scripts are skipped on purpose: koffi's only one would build from source, while the
  # @koromix/koffi-<os>-<cpu> packages already ship prebuilt glibc binaries.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error "$@"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/disk2iso-stage.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

# Compile in a scratch copy: the working tree's dist/ and node_modules are neither used nor touched.
cp "${repo}/package.json" "${repo}/package-lock.json" "${repo}/tsconfig.json" "${repo}/tsconfig.build.json" "${work}/"
cp -R "${repo}/src" "${work}/src"
mkdir -p "${work}/scripts"
cp "${repo}/scripts/build-browser.mjs" "${work}/scripts/"
mkdir -p "${work}/compiler"
cp "${repo}/image/compiler/package.json" "${repo}/image/compiler/package-lock.json" "${work}/compiler/"
(cd "${work}" && npm_ci --omit=dev)
(cd "${work}/compiler" && npm_ci)
# Same versions as the project's lock (checked by tests/addon/image-compiler.test.ts), so the two
# trees merge without a conflict; -n keeps a copy a production dependency already brought.
cp -Rn "${work}/compiler/node_modules/." "${work}/node_modules/"
(cd "${work}" && node node_modules/typescript/bin/tsc -p tsconfig.build.json)
# The browser code (src/web/browser) bundled into dist/web/assets/, as `npm run build` does.
(cd "${work}" && node scripts/build-browser.mjs dist/web/assets)

rm -rf "${out}/app"
mkdir -p "${out}/app"
cp "${repo}/package.json" "${repo}/package-lock.json" "${out}/app/"
cp -R "${work}/dist" "${out}/app/dist"
(cd "${out}/app" && npm_ci --omit=dev --prefer-offline)

cp -R "${repo}/rootfs/." "${out}/"
# s6 needs the run/finish scripts executable even if a checkout lost the mode bits.
find "${out}/etc/s6-overlay/s6-rc.d" -type f \( -name run -o -name finish \) -exec chmod 0755 {} +

echo "stage-image: staged into ${out} ($(du -sh "${out}/app" | cut -f1) in /app)"
