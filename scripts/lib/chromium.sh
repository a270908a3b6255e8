# shellcheck shell=bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Makes headless Chromium and its WebDriver server available to the browser
# tests (tests/api/browser.rs). Source this file, then:
#
#     roost_ensure_chromium
#
# Afterwards ROOST_TEST_CHROMIUM and ROOST_TEST_CHROMEDRIVER are exported and name
# executables. In order:
#
#   1. ROOST_TEST_CHROMIUM / ROOST_TEST_CHROMEDRIVER already set: kept as they are.
#   2. Debian's packages, /usr/bin/chromium and /usr/bin/chromedriver: used as
#      they are.
#   3. Missing and running as root with apt-get: Debian's `chromium` and
#      `chromium-driver` are installed (non-interactive, quiet; the package lists
#      are refreshed once when the first attempt fails).
#
# Chromium and chromedriver come from the same source package, so their versions
# always match, which chromedriver insists on. Status lines go to stderr. The
# caller's shell options are left as they were.

_roost_chromium_log() {
    printf 'chromium: %s\n' "$*" >&2
}

# Prints the path of the first executable among its arguments (names looked up
# in PATH, or absolute paths).
_roost_chromium_first() {
    local candidate path
    for candidate in "$@"; do
        if path=$(command -v "$candidate" 2>/dev/null) && [ -x "$path" ]; then
            printf '%s\n' "$path"
            return 0
        fi
    done
    return 1
}

_roost_chromium_install() {
    if [ "$(id -u)" != 0 ]; then
        _roost_chromium_log "chromium or chromedriver not found; install them (on Debian: apt-get install chromium chromium-driver)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        _roost_chromium_log "chromium or chromedriver not found and apt-get is unavailable; install Chromium and its chromedriver"
        return 1
    fi
    _roost_chromium_log "chromium or chromedriver not found; installing chromium and chromium-driver with apt-get"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        chromium chromium-driver >/dev/null 2>&1; then
        return 0
    fi
    # The package lists are missing or stale: refresh them once and retry.
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        chromium chromium-driver >&2
}

roost_ensure_chromium() {
    local browser driver
    browser=${ROOST_TEST_CHROMIUM:-}
    driver=${ROOST_TEST_CHROMEDRIVER:-}
    if [ -z "$browser" ] || [ -z "$driver" ]; then
        if ! _roost_chromium_first chromium >/dev/null || ! _roost_chromium_first chromedriver >/dev/null; then
            _roost_chromium_install || return 1
        fi
        browser=${browser:-$(_roost_chromium_first chromium chromium-browser)} || true
        driver=${driver:-$(_roost_chromium_first chromedriver)} || true
    fi
    if [ -z "$browser" ] || [ ! -x "$browser" ]; then
        _roost_chromium_log "no chromium executable (ROOST_TEST_CHROMIUM or /usr/bin/chromium): '${browser}'"
        return 1
    fi
    if [ -z "$driver" ] || [ ! -x "$driver" ]; then
        _roost_chromium_log "no chromedriver executable (ROOST_TEST_CHROMEDRIVER or /usr/bin/chromedriver): '${driver}'"
        return 1
    fi
    export ROOST_TEST_CHROMIUM=$browser ROOST_TEST_CHROMEDRIVER=$driver
    _roost_chromium_log "$("$browser" --version 2>/dev/null | head -n 1), $("$driver" --version 2>/dev/null | cut -d' ' -f1-2)"
}
