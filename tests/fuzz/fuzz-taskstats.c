/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * listen_taskstats_parse() on the kernel's answer to TASKSTATS_CMD_GET.
 * Input: the pid asked for (32 bits, host order), then the answer's bytes
 * (tests/data/listen/taskstats-sleep.bin, for pid 19184).  Property
 * (listen.h): a comm is given only with 0, always terminated within
 * LISTEN_COMM_MAX; otherwise the caller's buffer is left as it was.  The
 * same bytes then as the answer to CTRL_CMD_GETFAMILY
 * (listen_taskstats_family_parse()): an id only with 0, a valid one.
 */

#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char comm[LISTEN_COMM_MAX];
        uint32_t pid;
        void *buf;
        int r;

        if (size < sizeof(pid))
                return 0;
        memcpy(&pid, data, sizeof(pid));
        buf = fuzz_memdup(data + sizeof(pid), size - sizeof(pid));
        memset(comm, 'x', sizeof(comm));
        r = listen_taskstats_parse(buf, size - sizeof(pid), (pid_t) pid, comm);
        if (r > 0)
                fuzz_fail("listen_taskstats_parse returned %d", r);
        if (r == 0 && !memchr(comm, '\0', sizeof(comm)))
                fuzz_fail("comm not terminated");
        if (r < 0)
                for (size_t i = 0; i < sizeof(comm); i++)
                        if (comm[i] != 'x')
                                fuzz_fail("comm written on failure (%d)", r);

        /* the same bytes as the answer to CTRL_CMD_GETFAMILY */
        int id = -1;
        r = listen_taskstats_family_parse(buf, size - sizeof(pid), &id);
        if (r > 0 || (r == 0 && (id < NLMSG_MIN_TYPE || id > UINT16_MAX)) || (r < 0 && id != -1))
                fuzz_fail("listen_taskstats_family_parse returned %d, id %d", r, id);
        free(buf);
        return 0;
}
