/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* sshguardiand's object on the system bus (DESIGN.md, sshguardiand(8)). */
#define SSHGUARDIAN_BUS_NAME "org.sshguardian1"
#define SSHGUARDIAN_BUS_PATH "/org/sshguardian1"
#define SSHGUARDIAN_BUS_INTERFACE "org.sshguardian1.Manager"

/* systemd's manager */
#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
