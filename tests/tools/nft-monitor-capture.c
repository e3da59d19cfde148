/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Records nftables change notifications for the unit tests (CAP_NET_ADMIN;
 * run it inside a network namespace of your own):
 *
 *   nft-monitor-capture record FILE [--rcvbuf BYTES] -- COMMAND [ARG...]
 *        joins NFNLGRP_NFTABLES in the current network namespace, runs
 *        COMMAND, and once it has exited writes every datagram the socket
 *        had queued to FILE.  The kernel sends a batch's notifications
 *        while committing it, so nothing arrives after COMMAND is gone.
 *        --rcvbuf shrinks the receive buffer (SO_RCVBUF) to provoke ENOBUFS.
 *   nft-monitor-capture show FILE
 *        prints each recorded datagram's events, one per line.
 *
 * FILE is "SGNM" and then one record per recv(): a host-order int32, the
 * datagram's length followed by its bytes, or a negative errno when that
 * recv() failed (ENOBUFS).  tests/unit/check_nft_monitor.c replays them.
 */

#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nft-monitor.h"

#define RECV_SIZE (256u * 1024u)

static int record(const char *path, int rcvbuf, char **argv) {
        struct mnl_socket *nl = NULL;
        uint32_t *buf = NULL;   /* netlink wants 4-byte alignment */
        FILE *f = NULL;
        int r, status, rc = 1;
        pid_t pid;

        r = nft_monitor_open(&nl);
        if (r < 0) {
                fprintf(stderr, "monitor socket: %s\n", strerror(-r));
                return 1;
        }
        if (rcvbuf > 0 &&
            setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
                perror("SO_RCVBUF");
                goto out;
        }
        if (getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, &(socklen_t) { sizeof(rcvbuf) }) == 0)
                fprintf(stderr, "receive buffer: %d bytes\n", rcvbuf);
        buf = malloc(RECV_SIZE);
        f = fopen(path, "we");
        if (!buf || !f || fwrite("SGNM", 1, 4, f) != 4) {
                perror(path);
                goto out;
        }

        pid = fork();
        if (pid < 0) {
                perror("fork");
                goto out;
        }
        if (pid == 0) {
                mnl_socket_close(nl);
                execvp(argv[0], argv);
                perror(argv[0]);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0) {
                perror("waitpid");
                goto out;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "warning: %s did not succeed (status %d)\n", argv[0], status);

        for (;;) {
                ssize_t n = recv(mnl_socket_get_fd(nl), buf, RECV_SIZE, MSG_DONTWAIT | MSG_TRUNC);
                int32_t rec;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n > (ssize_t) RECV_SIZE) {
                        fprintf(stderr, "datagram of %zd bytes truncated\n", n);
                        goto out;
                }
                rec = n < 0 ? -errno : (int32_t) n;
                if (fwrite(&rec, sizeof(rec), 1, f) != 1 || (n > 0 && fwrite(buf, 1, (size_t) n, f) != (size_t) n)) {
                        perror(path);
                        goto out;
                }
        }
        rc = 0;
out:
        if (f && fclose(f) != 0 && rc == 0) {
                perror(path);
                rc = 1;
        }
        free(buf);
        mnl_socket_close(nl);
        return rc;
}

static int show_event(const NftMonitorEvent *ev, void *userdata) {
        const char *name = nft_monitor_msg_name(ev->msg_type);

        if (name)
                printf("  %s", name);
        else
                printf("  type-%u", ev->msg_type);
        if (ev->msg_type == NFT_MSG_NEWGEN) {
                printf(" genid %" PRIu32 " pid %d comm \"%s\"\n", ev->genid, (int) ev->pid, ev->comm);
                return 0;
        }
        printf(" family %d", ev->family);
        if (ev->table[0])
                printf(" table %s", ev->table);
        if (ev->chain[0])
                printf(" chain %s", ev->chain);
        if (ev->name[0])
                printf(" name %s", ev->name);
        if (ev->has_handle)
                printf(" handle %" PRIu64, ev->handle);
        printf("\n");
        return 0;
}

static int show(const char *path) {
        FILE *f = fopen(path, "re");
        char magic[4];
        int32_t rec;
        unsigned i = 0;

        if (!f || fread(magic, 1, 4, f) != 4 || memcmp(magic, "SGNM", 4) != 0) {
                fprintf(stderr, "%s: not a capture\n", path);
                return 1;
        }
        while (fread(&rec, sizeof(rec), 1, f) == 1) {
                uint32_t *buf;
                int r;

                if (rec < 0) {
                        printf("recv %u: %s\n", i++, strerror(-rec));
                        continue;
                }
                buf = malloc((size_t) rec + 4);
                if (!buf || fread(buf, 1, (size_t) rec, f) != (size_t) rec) {
                        fprintf(stderr, "%s: truncated\n", path);
                        free(buf);
                        fclose(f);
                        return 1;
                }
                printf("recv %u: %" PRId32 " bytes\n", i++, rec);
                r = nft_monitor_parse(buf, (size_t) rec, show_event, NULL);
                if (r < 0)
                        printf("  parse: %s\n", strerror(-r));
                free(buf);
        }
        fclose(f);
        return 0;
}

int main(int argc, char **argv) {
        if (argc >= 5 && strcmp(argv[1], "record") == 0) {
                int rcvbuf = 0, i = 3;

                if (strcmp(argv[i], "--rcvbuf") == 0 && i + 1 < argc) {
                        rcvbuf = atoi(argv[i + 1]);
                        i += 2;
                }
                if (i + 1 < argc && strcmp(argv[i], "--") == 0)
                        return record(argv[2], rcvbuf, argv + i + 1);
        }
        if (argc == 3 && strcmp(argv[1], "show") == 0)
                return show(argv[2]);
        fprintf(stderr, "usage: %s record FILE [--rcvbuf BYTES] -- COMMAND [ARG...]\n"
                        "       %s show FILE\n", argv[0], argv[0]);
        return 2;
}
