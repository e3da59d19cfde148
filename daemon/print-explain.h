/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * `sshguardianctl explain`'s output and D-Bus Explain()'s JSON: printers
 * of lib's SgExplainResult (README.md documents both).  Nothing here
 * decides.
 */

#include <stdio.h>

#include "explain.h"

/* Return 0, or -EIO/-ENOMEM when writing failed. */
int explain_write_json(const SgExplainResult *r, FILE *f);
int explain_write_text(const SgExplainResult *r, FILE *f);
