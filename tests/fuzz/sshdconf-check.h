/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Loads PATH (Include relative to DIR, no name resolution) and holds the
 * model to its contracts: loading fails only for want of memory; the JSON
 * writer and the keyword lookups run on any model; and for a valid model,
 * `config --dump` (sshd_config_dump()) parses again to a model that is
 * valid, binds the same set of endpoints, and dumps to the same text. */
void fuzz_sshd_config_check(const char *path, const char *dir);
