#!/bin/sh
# Prints the package names of a package list (image/packages.txt), one a line: comments and
# blank lines dropped. The Dockerfile and the image test both read the list through this.
# Usage: scripts/image-packages.sh FILE
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 FILE" >&2
  exit 64
fi
sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$1" | grep -v '^$'
