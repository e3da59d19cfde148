#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# meson install hook.  On the live system (no DESTDIR) it does what a
# package's postinst would: create the user sshguardian.service runs as,
# have a running dbus-daemon re-read its policy (which names that user: a
# policy loaded before the user existed ignores its rules), rebuild the
# journal's catalog so that `journalctl -x` explains sshguardian's entries,
# and have a running systemd read the (new or changed) unit.
# A --destdir tree is left to whoever deploys it.
set -e
[ -z "$DESTDIR" ] || exit 0
sysusers_conf="$1"
if command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers "$sysusers_conf"
else
        echo "install: systemd-sysusers not found: create the system user 'sshguardian' by hand" >&2
fi
if [ -S /run/dbus/system_bus_socket ] && command -v busctl >/dev/null 2>&1; then
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null 2>&1 || :
fi
if command -v journalctl >/dev/null 2>&1; then
        journalctl --update-catalog || :
fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl daemon-reload || :
fi
