/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Records what an NftStore needs for the unit tests (CAP_NET_ADMIN; run it
 * in a network namespace of your own):
 *
 *   nft-store-capture record FILE [--rcvbuf BYTES] COMMAND...
 *        joins NFNLGRP_NFTABLES, records a consistent dump of the ruleset
 *        (nft_dump_raw()), then for each COMMAND: runs it with /bin/sh -c,
 *        records every datagram the socket has queued once it has exited
 *        (the kernel notifies while committing) or the recv() error
 *        (ENOBUFS), and a fresh consistent dump.  --rcvbuf shrinks the
 *        receive buffer.
 *   nft-store-capture show FILE
 *        prints the records, the datagrams' messages decoded.
 *
 * FILE is "SGNS" and then records: a host-order uint32 kind and uint32
 * length, then that many bytes, padded to 4.  Kinds: 'L' the dump before
 * the first command, 'C' a command (text), 'N' a datagram, 'E' a failed
 * recv() (an int32 negative errno), 'D' the dump after the command.
 * tests/unit/check_nft_store.c replays them.
 */

#include <errno.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "nft-monitor.h"
#include "nft-ruleset.h"

typedef struct Bytes {
        uint8_t *data;
        size_t len, allocated;
} Bytes;

static int bytes_reset(void *userdata) {
        ((Bytes *) userdata)->len = 0;
        return 0;
}

static int bytes_append(const void *buf, size_t len, void *userdata) {
        Bytes *b = userdata;
        if (b->len + len > b->allocated) {
                size_t n = b->allocated ? b->allocated : 65536;
                while (n < b->len + len)
                        n *= 2;
                uint8_t *p = realloc(b->data, n);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = n;
        }
        memcpy(b->data + b->len, buf, len);
        b->len += len;
        return 0;
}

static int put(FILE *f, uint32_t kind, const void *data, uint32_t len) {
        static const uint8_t pad[4];
        uint32_t hdr[2] = { kind, len };
        if (fwrite(hdr, sizeof(hdr), 1, f) != 1 || (len && fwrite(data, 1, len, f) != len) ||
            fwrite(pad, 1, (4 - len % 4) % 4, f) != (4 - len % 4) % 4)
                return -EIO;
        return 0;
}

static int put_dump(FILE *f, uint32_t kind) {
        Bytes b = {};
        NftDumpSink sink = { .reset = bytes_reset, .msgs = bytes_append, .userdata = &b };
        int r = nft_dump_raw(&sink);
        if (r < 0)
                fprintf(stderr, "dump: %s\n", strerror(-r));
        else
                r = put(f, kind, b.data, (uint32_t) b.len);
        free(b.data);
        return r;
}

static int record(const char *path, int rcvbuf, char **cmds, int n_cmds) {
        struct mnl_socket *nl = NULL;
        uint32_t *buf = malloc(NFT_MONITOR_RECV_SIZE);
        FILE *f = fopen(path, "we");
        int r = nft_monitor_open(&nl), rc = 1;

        if (r < 0) {
                fprintf(stderr, "monitor socket: %s\n", strerror(-r));
                goto out;
        }
        if (rcvbuf > 0 && setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
                perror("SO_RCVBUF");
                goto out;
        }
        if (!buf || !f || fwrite("SGNS", 1, 4, f) != 4 || put_dump(f, 'L') < 0) {
                perror(path);
                goto out;
        }
        for (int i = 0; i < n_cmds; i++) {
                if (put(f, 'C', cmds[i], (uint32_t) strlen(cmds[i])) < 0)
                        goto out;
                int status = system(cmds[i]);
                if (status != 0)
                        fprintf(stderr, "warning: `%s` did not succeed (status %d)\n", cmds[i], status);
                for (;;) {
                        ssize_t n = recv(mnl_socket_get_fd(nl), buf, NFT_MONITOR_RECV_SIZE, MSG_DONTWAIT | MSG_TRUNC);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                                break;
                        if (n > (ssize_t) NFT_MONITOR_RECV_SIZE) {
                                fprintf(stderr, "datagram of %zd bytes truncated\n", n);
                                goto out;
                        }
                        int32_t err = -errno;
                        if ((n < 0 ? put(f, 'E', &err, sizeof(err)) : put(f, 'N', buf, (uint32_t) n)) < 0)
                                goto out;
                }
                if (put_dump(f, 'D') < 0)
                        goto out;
        }
        rc = 0;
out:
        if (f && fclose(f) != 0 && rc == 0) {
                perror(path);
                rc = 1;
        }
        free(buf);
        if (nl)
                mnl_socket_close(nl);
        return rc;
}

static const char *msg_name(uint16_t type) {
        const char *n = nft_monitor_msg_name(type);
        return n ? n : "?";
}

static void show_msgs(const uint8_t *p, size_t len) {
        for (size_t off = 0; len - off >= NLMSG_HDRLEN;) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) (p + off);
                if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off) {
                        printf("    (broken framing)\n");
                        return;
                }
                if (nlh->nlmsg_type == NLMSG_DONE)
                        printf("    DONE\n");
                else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && nlh->nlmsg_len >= NLMSG_HDRLEN + 4) {
                        const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
                        printf("    %s%s family %u gen %u flags %#x\n",
                               (nlh->nlmsg_flags & NLM_F_REQUEST) ? "request " : "",
                               msg_name(NFNL_MSG_TYPE(nlh->nlmsg_type)), g->nfgen_family, ntohs(g->res_id),
                               nlh->nlmsg_flags);
                }
                off += NLMSG_ALIGN(nlh->nlmsg_len);
        }
}

static int show(const char *path) {
        FILE *f = fopen(path, "re");
        char magic[4];
        uint32_t hdr[2];

        if (!f || fread(magic, 1, 4, f) != 4 || memcmp(magic, "SGNS", 4) != 0) {
                fprintf(stderr, "%s: not a capture\n", path);
                return 1;
        }
        while (fread(hdr, sizeof(hdr), 1, f) == 1) {
                size_t padded = (hdr[1] + 3u) & ~3u;
                uint8_t *b = malloc(padded + 1);
                if (!b || fread(b, 1, padded, f) != padded) {
                        fprintf(stderr, "%s: truncated\n", path);
                        free(b);
                        fclose(f);
                        return 1;
                }
                b[hdr[1]] = 0;
                switch (hdr[0]) {
                case 'C':
                        printf("$ %s\n", (char *) b);
                        break;
                case 'E':
                        printf("  recv: %s\n", strerror(-*(int32_t *) b));
                        break;
                case 'N':
                        printf("  datagram, %" PRIu32 " bytes\n", hdr[1]);
                        show_msgs(b, hdr[1]);
                        break;
                default:
                        printf("  dump %c, %" PRIu32 " bytes\n", (char) hdr[0], hdr[1]);
                }
                free(b);
        }
        fclose(f);
        return 0;
}

int main(int argc, char **argv) {
        if (argc >= 4 && strcmp(argv[1], "record") == 0) {
                int rcvbuf = 0, i = 3;
                if (strcmp(argv[i], "--rcvbuf") == 0 && i + 2 < argc) {
                        rcvbuf = atoi(argv[i + 1]);
                        i += 2;
                }
                return record(argv[2], rcvbuf, argv + i, argc - i);
        }
        if (argc == 3 && strcmp(argv[1], "show") == 0)
                return show(argv[2]);
        fprintf(stderr, "usage: %s record FILE [--rcvbuf BYTES] COMMAND... | show FILE\n", argv[0]);
        return 2;
}
