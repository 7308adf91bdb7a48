# disk2iso — Home Assistant add-on image.
# The Supervisor builds this file on the device for its architecture (amd64, aarch64). There is no
# build.yaml (deprecated by the Supervisor): the base image is named here. base-debian is a
# multi-arch Debian trixie image with s6-overlay v3, bashio, tempio, bash, curl and jq.
# Every package below comes from Debian trixie, so `npm run test:image` builds the same root
# filesystem from the same list with mmdebstrap and boots it under the shipped AppArmor profile.
ARG BUILD_FROM=ghcr.io/home-assistant/base-debian:trixie

# -----------------------------------------------------------------------------------------------
# Build: TypeScript → dist/ (and the browser bundle → dist/web/assets/), production node_modules, rootfs/. The layout is made by the same
# script that `npm run test:image` runs, so the test covers what ships. Only what compiling needs
# is installed: Debian's node and npm, the production dependencies and image/compiler.
FROM ${BUILD_FROM} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends nodejs npm \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY image/compiler/ ./image/compiler/
COPY src/ ./src/
COPY rootfs/ ./rootfs/
COPY scripts/stage-image.sh scripts/build-browser.mjs ./scripts/
RUN bash scripts/stage-image.sh /stage

# -----------------------------------------------------------------------------------------------
# libdvdcss (CSS decryption for dvdbackup through libdvdread) is not in Debian main. It is built
# from the VideoLAN release with its SHA-256 pinned; any failure (download, checksum, compiler)
# fails the image build: an image without it would quietly copy encrypted DVD-Video raw.
FROM ${BUILD_FROM} AS libdvdcss
ARG LIBDVDCSS_VERSION=1.4.3
ARG LIBDVDCSS_SHA256=233cc92f5dc01c5d3a96f5b3582be7d5cee5a35a52d3a08158745d3d86070079
WORKDIR /usr/src/libdvdcss
RUN apt-get update \
  && apt-get install -y --no-install-recommends build-essential bzip2 \
  && curl -fsSL -o libdvdcss.tar.bz2 \
       "https://download.videolan.org/pub/videolan/libdvdcss/${LIBDVDCSS_VERSION}/libdvdcss-${LIBDVDCSS_VERSION}.tar.bz2" \
  && echo "${LIBDVDCSS_SHA256}  libdvdcss.tar.bz2" | sha256sum -c - \
  && tar -xjf libdvdcss.tar.bz2 --strip-components=1 \
  && ./configure --prefix=/usr --disable-doc --disable-static \
  && make \
  && make DESTDIR=/out install \
  && rm -rf /out/usr/include /out/usr/share /out/usr/lib/pkgconfig /out/usr/lib/*.la \
  && test -e /out/usr/lib/libdvdcss.so.2

# -----------------------------------------------------------------------------------------------
# Runtime: node and the disc tools from ONE list, image/packages.txt (what each is for is there).
FROM ${BUILD_FROM}
ARG BUILD_ARCH
ARG BUILD_VERSION

COPY image/packages.txt scripts/image-packages.sh /tmp/image/
RUN apt-get update \
  && /tmp/image/image-packages.sh /tmp/image/packages.txt \
     | xargs apt-get install -y --no-install-recommends \
  && rm -rf /var/lib/apt/lists/* /tmp/image

COPY --from=libdvdcss /out/ /
COPY --from=build /stage/ /
RUN ldconfig

WORKDIR /app
# libdvdcss caches CSS keys under $HOME unless told otherwise; keep them in the container's /tmp.
# Drive ioctls and reads run on libuv's thread pool with time-outs; a hung drive may hold up to
# two threads, so 8 keep the web server and the other drives responsive.
ENV NODE_ENV=production \
  DVDCSS_CACHE=/tmp/dvdcss \
  UV_THREADPOOL_SIZE=8

# The Supervisor's watchdog acts on this (config.yaml has no `watchdog:`). Port 8099 is the
# ingress port; the add-on does not offer the dev-only web_port option. curl is in the base image
# and in image/packages.txt; the image test runs this very command under the AppArmor profile.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD curl -fsS -m 5 -o /dev/null http://127.0.0.1:8099/healthz || exit 1

LABEL \
  io.hass.name="disk2iso" \
  io.hass.description="Unattended optical disc archiver: CDs, DVDs and Blu-rays to verified ISO images, audio CDs to FLAC/MP3" \
  io.hass.arch="${BUILD_ARCH}" \
  io.hass.type="addon" \
  io.hass.version="${BUILD_VERSION}" \
  org.opencontainers.image.title="disk2iso" \
  org.opencontainers.image.licenses="MIT"
