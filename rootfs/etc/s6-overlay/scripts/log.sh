# shellcheck shell=bash
# Log lines of the service scripts, in the format of the add-on's other lines on the log tab.
# Sourced by the run and finish scripts; plain bash, so the image needs nothing beyond bash
# (bashio's logger, which base images bring, is not relied on: the image test cannot ship it).
log_info() { printf '[%s] INFO: %s\n' "$(date +%H:%M:%S)" "$*"; }
log_warning() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
