/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic-file.h"
#include "macro.h"
#include "print-prometheus.h"

static void label_value(FILE *f, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '\\': fputs("\\\\", f); break;
                case '"': fputs("\\\"", f); break;
                case '\n': fputs("\\n", f); break;
                default: fputc(*s, f);
                }
}

static void metric_head(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int prometheus_write(FILE *f, const PromMetrics *m) {
        unsigned locked_out = 0;        /* one admin-locked-out finding per source */

        metric_head(f, "sshguardian_healthy", "gauge",
                    "1 when no open problem leaves sshd unreachable for a family, an interface or all sources.");
        fprintf(f, "sshguardian_healthy %d\n", m->healthy ? 1 : 0);
        metric_head(f, "sshguardian_uncertain", "gauge", "1 when a firewall verdict the daemon needed is unknown.");
        fprintf(f, "sshguardian_uncertain %d\n", m->uncertain ? 1 : 0);

        metric_head(f, "sshguardian_open_findings", "gauge", "Open problems by cause code and scope.");
        for (size_t i = 0; i < m->n_findings; i++) {
                const char *cause = sg_cause_to_string(m->findings[i].cause);
                const char *scope = sg_finding_get(&m->findings[i], "scope");
                unsigned count = 0;
                bool earlier = false;

                /* one sample per (cause, scope), counted */
                for (size_t k = 0; k < i && !earlier; k++)
                        earlier = m->findings[k].cause == m->findings[i].cause &&
                                  strcmp(sg_finding_get(&m->findings[k], "scope") ?: "", scope ?: "") == 0;
                if (earlier || !cause)
                        continue;
                for (size_t k = i; k < m->n_findings; k++)
                        count += m->findings[k].cause == m->findings[i].cause &&
                                 strcmp(sg_finding_get(&m->findings[k], "scope") ?: "", scope ?: "") == 0;
                fputs("sshguardian_open_findings{cause=\"", f);
                label_value(f, cause);
                fputs("\",scope=\"", f);
                label_value(f, scope ? scope : "");
                fprintf(f, "\"} %u\n", count);
        }
        metric_head(f, "sshguardian_admin_sources_locked_out", "gauge",
                    "Source addresses of recent logins that can no longer open a new connection.");
        for (size_t i = 0; i < m->n_findings; i++)
                locked_out += m->findings[i].cause == SG_CAUSE_ADMIN_LOCKED_OUT;
        fprintf(f, "sshguardian_admin_sources_locked_out %u\n", locked_out);
        metric_head(f, "sshguardian_last_change_timestamp_seconds", "gauge",
                    "When a problem last opened or was resolved (0: not since the daemon started).");
        fprintf(f, "sshguardian_last_change_timestamp_seconds %.3f\n", m->last_change);
        metric_head(f, "sshguardian_audit_duration_seconds", "gauge", "How long the last audit took.");
        fprintf(f, "sshguardian_audit_duration_seconds %.6f\n", m->audit_duration);
        metric_head(f, "sshguardian_audits_total", "counter", "Audits since the daemon started.");
        fprintf(f, "sshguardian_audits_total %llu\n", (unsigned long long) m->audits);
        metric_head(f, "sshguardian_events_total", "counter", "Watcher events that asked for an audit.");
        fprintf(f, "sshguardian_events_total %llu\n", (unsigned long long) m->events);
        metric_head(f, "sshguardian_nft_generations_total", "counter",
                    "nftables generations committed, by whether they could change the judgement (judged again).");
        fprintf(f, "sshguardian_nft_generations_total{judged=\"true\"} %llu\n",
                (unsigned long long) m->nft_generations_judged);
        fprintf(f, "sshguardian_nft_generations_total{judged=\"false\"} %llu\n",
                (unsigned long long) m->nft_generations_unseen);
        metric_head(f, "sshguardian_nft_ruleset_updates_total", "counter",
                    "The model of the nftables ruleset brought up to date: with the change alone, or built whole.");
        fprintf(f, "sshguardian_nft_ruleset_updates_total{how=\"patched\"} %llu\n",
                (unsigned long long) m->nft_ruleset_patched);
        fprintf(f, "sshguardian_nft_ruleset_updates_total{how=\"whole\"} %llu\n",
                (unsigned long long) m->nft_ruleset_whole);
        return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

static int write_metrics(FILE *f, const void *m) {
        return prometheus_write(f, m);
}

int prometheus_write_file(const char *path, const PromMetrics *m) {
        /* node_exporter runs as another user: readable by all */
        return write_file_atomic(path, 0644, write_metrics, m);
}
