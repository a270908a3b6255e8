# shellcheck shell=bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Makes ffmpeg and ffprobe available: Roost describes uploaded videos, makes their
# web-playable renditions and poster frames with them (src/media/video.rs), and the
# video tests (tests/api/reels.rs, tests/api/music.rs) make their videos with ffmpeg.
# Source this file, then:
#
#     roost_ensure_ffmpeg
#
# In order:
#
#   1. ffmpeg and ffprobe on PATH: used as they are.
#   2. Missing and running as root with apt-get: Debian's `ffmpeg` is installed
#      (non-interactive, quiet; the package lists are refreshed once when the first
#      attempt fails).
#   3. Otherwise a warning: Roost then stores videos as sent (ROOST_FFMPEG=auto finds
#      no tools), and the video tests fail saying what to install.
#
# Status lines go to stderr. The caller's shell options are left as they were.

_roost_ffmpeg_log() {
    printf 'ffmpeg: %s\n' "$*" >&2
}

_roost_ffmpeg_present() {
    command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1
}

roost_ensure_ffmpeg() {
    if _roost_ffmpeg_present; then
        _roost_ffmpeg_log "$(ffmpeg -version 2>/dev/null | head -n 1)"
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        _roost_ffmpeg_log "ffmpeg or ffprobe not found; videos are stored as sent (install ffmpeg, e.g. apt-get install ffmpeg)"
        return 0
    fi
    _roost_ffmpeg_log "ffmpeg or ffprobe not found; installing ffmpeg with apt-get"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        ffmpeg >/dev/null 2>&1; then
        # The package lists are missing or stale: refresh them once and retry.
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            ffmpeg >&2 || _roost_ffmpeg_log "could not install ffmpeg; videos are stored as sent"
    fi
    if _roost_ffmpeg_present; then
        _roost_ffmpeg_log "$(ffmpeg -version 2>/dev/null | head -n 1)"
    fi
    return 0
}
