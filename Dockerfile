# disk2iso — Home Assistant add-on image.
# The Supervisor builds this file on the device for its architecture. There is no build.yaml
# (deprecated by the Supervisor): the base image is named here, and ghcr.io/home-assistant/base
# is a multi-arch image (Alpine + s6-overlay v3 + bashio).
ARG BUILD_FROM=ghcr.io/home-assistant/base:3.24

# -----------------------------------------------------------------------------------------------
# Build: TypeScript → dist/, production node_modules, rootfs/. The layout is made by the same
# script that tests/addon/staged-layout.test.ts runs on CI, so the test covers what ships.
FROM ${BUILD_FROM} AS build
RUN apk add --no-cache nodejs npm
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: koffi (FFI for the drive ioctls) loads the musl prebuild shipped in
# @koromix/koffi-linux-<cpu>; its install script would only try to compile it again.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ ./src/
COPY rootfs/ ./rootfs/
COPY scripts/stage-image.sh ./scripts/
RUN bash scripts/stage-image.sh /stage

# -----------------------------------------------------------------------------------------------
# dvdbackup (decrypted DVD-Video backups) is only in Alpine's testing repository: build the
# release with its checksum pinned. Should that ever fail, the image still builds and the core
# reports dvdbackup as missing and copies DVD-Video discs raw (the method is recorded).
FROM ${BUILD_FROM} AS dvdbackup
ARG DVDBACKUP_VERSION=0.4.2
ARG DVDBACKUP_SHA512=df9abb2ca0b8a7cd7855ddff94dae249b06b2ec0ee42f3e9c53aa46aebd9885bdf26dacecbd4a20ff5f642ea10c0c64b811d25c23802c8a2b1489281900fbe0d
WORKDIR /usr/src/dvdbackup
RUN apk add --no-cache build-base libdvdread-dev \
  && mkdir -p /out \
  && if curl -fsSL -o dvdbackup.tar.xz \
        "https://downloads.sourceforge.net/dvdbackup/dvdbackup-${DVDBACKUP_VERSION}.tar.xz" \
      && echo "${DVDBACKUP_SHA512}  dvdbackup.tar.xz" | sha512sum -c - \
      && tar -xJf dvdbackup.tar.xz --strip-components=1 \
      && ./configure --prefix=/usr CFLAGS="-O2 -std=gnu17" \
      && make \
      && make DESTDIR=/out install; then \
       rm -rf /out/usr/share; \
     else \
       echo "WARNING: dvdbackup could not be built; DVD-Video discs will be copied raw" >&2; \
       rm -rf /out && mkdir -p /out; \
     fi

# -----------------------------------------------------------------------------------------------
# Runtime.
FROM ${BUILD_FROM}
ARG BUILD_ARCH
ARG BUILD_VERSION

# Node and the disc tools, by their Alpine package names:
#   xorriso, cdrkit (genisoimage/mkisofs -dvd-video)  ISO creation
#   cdparanoia, flac, lame                             audio CDs
#   libdvdread (for dvdbackup), util-linux-misc (eject; the core ejects by ioctl itself)
# ddrescue and libdvdcss are optional: where a package is missing for an architecture the core
# falls back (own rescue pass, raw DVD copy) and lists the tool as missing in system.json.
RUN apk add --no-cache \
    nodejs \
    xorriso \
    cdrkit \
    cdparanoia \
    flac \
    lame \
    libdvdread \
    util-linux-misc \
  && for pkg in ddrescue libdvdcss; do \
       apk add --no-cache "${pkg}" \
         || echo "WARNING: optional package ${pkg} is not available for ${BUILD_ARCH}" >&2; \
     done

COPY --from=dvdbackup /out/ /
COPY --from=build /stage/ /

WORKDIR /app
# libdvdcss caches CSS keys under $HOME unless told otherwise; keep them in the container's /tmp.
# Drive ioctls and reads run on libuv's thread pool with time-outs; a hung drive may hold up to
# two threads, so 8 keep the web server and the other drives responsive.
ENV NODE_ENV=production \
  DVDCSS_CACHE=/tmp/dvdcss \
  UV_THREADPOOL_SIZE=8

# The Supervisor's watchdog acts on this (config.yaml has no `watchdog:`). Port 8099 is the
# ingress port; the add-on does not offer the dev-only web_port option.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD wget -q -T 5 -O /dev/null http://127.0.0.1:8099/healthz || exit 1

LABEL \
  io.hass.name="disk2iso" \
  io.hass.description="Unattended optical disc archiver: CDs, DVDs and Blu-rays to verified ISO images, audio CDs to FLAC/MP3" \
  io.hass.arch="${BUILD_ARCH}" \
  io.hass.type="addon" \
  io.hass.version="${BUILD_VERSION}" \
  org.opencontainers.image.title="disk2iso" \
  org.opencontainers.image.licenses="MIT"
