/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <systemd/sd-bus.h>

/* How long the daemon may take to answer before the CLI judges for itself. */
#define CTL_DAEMON_TIMEOUT_USEC (5ULL * 1000000ULL)

/* One clear line on stderr; with JSON, the error is also a single object on
 * stdout.  Returns CODE. */
int ctl_fail(bool json, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* METHOD(TYPES, ...) on the running daemon (never starting one), within
 * CTL_DAEMON_TIMEOUT_USEC: its reply, and the bus it holds on to.  Negative
 * when the daemon does not run or did not answer (the caller then judges
 * for itself). */
int ctl_daemon_call(const char *method, sd_bus **ret_bus, sd_bus_message **ret_reply, const char *types, ...);
void ctl_help(FILE *f);

int verb_explain(int argc, char **argv);
int verb_audit(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_check_config(int argc, char **argv);
int verb_check_ruleset(int argc, char **argv);
