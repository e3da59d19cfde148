/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * iptables-legacy's rules: the x_tables tables of the kernel, which are not
 * part of nftables.  Read with the getsockopt() interface iptables-legacy
 * itself uses (IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES, and the IPv6 twins),
 * decoded into chains and rules.  The matches' and targets' own data stay
 * as the kernel gives them (offset and length into the table's copy of the
 * entries), for the extension decoders to read.
 *
 * The decoder (xt_legacy_table_parse) is separate from the socket I/O so
 * that captured tables can be replayed without root.
 */


#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XT_LEGACY_NAME_MAX 32           /* XT_TABLE_MAXNAMELEN, and chain names */
#define XT_LEGACY_EXT_NAME_MAX 29       /* XT_EXTENSION_MAXNAMELEN */
#define XT_LEGACY_HOOKS 5               /* NF_INET_NUMHOOKS */
#define XT_LEGACY_IFNAMSIZ 16           /* IFNAMSIZ */

/* What IPT_SO_GET_INFO says of a table: which hooks it is on, where each
 * hook's chain starts (hook_entry) and where its policy rule is
 * (underflow), as byte offsets into the entries. */
typedef struct XtLegacyInfo {
        char name[XT_LEGACY_NAME_MAX];
        uint32_t valid_hooks;
        uint32_t hook_entry[XT_LEGACY_HOOKS];
        uint32_t underflow[XT_LEGACY_HOOKS];
        uint32_t num_entries;
        uint32_t size;
} XtLegacyInfo;

typedef struct XtLegacyExt {
        char name[XT_LEGACY_EXT_NAME_MAX];
        uint8_t revision;
        uint32_t data_off;              /* into XtLegacyTable.blob */
        uint32_t data_len;
} XtLegacyExt;

typedef enum XtLegacyVerdict {
        XT_LEGACY_TARGET,               /* an extension target (REJECT, LOG, ...) */
        XT_LEGACY_ACCEPT,
        XT_LEGACY_DROP,
        XT_LEGACY_QUEUE,
        XT_LEGACY_RETURN,
        XT_LEGACY_JUMP,                 /* to jump_chain */
        XT_LEGACY_CONTINUE,             /* a standard target that falls through */
} XtLegacyVerdict;

typedef struct XtLegacyRule {
        /* the header match: ipt_ip / ip6t_ip6 */
        uint8_t src[16], smsk[16], dst[16], dmsk[16];
        char iniface[XT_LEGACY_IFNAMSIZ], outiface[XT_LEGACY_IFNAMSIZ];
        uint8_t iniface_mask[XT_LEGACY_IFNAMSIZ], outiface_mask[XT_LEGACY_IFNAMSIZ];
        uint16_t proto;                 /* 0: any (IPv6: only with IP6T_F_PROTO) */
        uint8_t flags, invflags;        /* IPT_F_* / IP6T_F_*, IPT_INV_* / IP6T_INV_* */
        uint32_t first_match, n_matches;        /* into XtLegacyTable.matches */
        XtLegacyExt target;             /* name "" for the standard target */
        XtLegacyVerdict verdict;
        int jump_chain;                 /* index into chains for JUMP, else -1 */
        bool goto_chain;                /* JUMP is a goto (-g): no return to this chain */
        uint32_t jump_offset;           /* JUMP: the kernel's byte offset of the target */
        uint64_t packets, bytes;
        unsigned position;              /* 1-based in its chain, as `iptables -D CHAIN N` counts */
} XtLegacyRule;

typedef struct XtLegacyChain {
        char name[XT_LEGACY_NAME_MAX];
        int hook;                       /* NF_INET_*, or -1 for a user chain */
        XtLegacyVerdict policy;         /* built-in chains: ACCEPT or DROP */
        uint32_t first_rule, n_rules;   /* into XtLegacyTable.rules; the policy rule is not one */
} XtLegacyChain;

typedef struct XtLegacyTable {
        int family;                     /* NFPROTO_IPV4 or NFPROTO_IPV6 */
        char name[XT_LEGACY_NAME_MAX];
        uint8_t *blob;                  /* the entries as the kernel gave them */
        size_t blob_len;
        XtLegacyChain *chains;
        size_t n_chains;
        XtLegacyRule *rules;
        size_t n_rules;
        XtLegacyExt *matches;
        size_t n_matches;
} XtLegacyTable;

/* Decodes a table's entries (the payload of IPT_SO_GET_ENTRIES /
 * IP6T_SO_GET_ENTRIES) with the INFO that came with them.  Every offset and
 * size is checked: malformed input is -EBADMSG, never a crash. */
int xt_legacy_table_parse(int family, const XtLegacyInfo *info, const void *entries, size_t size,
                          XtLegacyTable **ret);

XtLegacyTable *xt_legacy_table_free(XtLegacyTable *t);
static inline void xt_legacy_table_freep(XtLegacyTable **t) {
        xt_legacy_table_free(*t);
}

/* Frees a NULL-terminated array of tables (as xt_legacy_read() returns
 * them) and the tables in it. */
XtLegacyTable **xt_legacy_tables_free(XtLegacyTable **tables);
static inline void xt_legacy_tables_freep(XtLegacyTable ***tables) {
        xt_legacy_tables_free(*tables);
}

/* Where a family's tables are read from.  The kernel asks nothing of the
 * socket but its family: IPT_SO_GET_INFO/ENTRIES (IP6T_...) reach x_tables
 * from any IPv4 (IPv6) socket's getsockopt() and check only the caller's
 * CAP_NET_ADMIN, so a plain UDP socket does, and one opened by someone else
 * does too.  That is how sshguardiand reads the tables although its sandbox
 * forbids it AF_INET and AF_INET6 altogether: a root helper opens both (and
 * the names files, mode 0440 root) before it starts, and hands them over
 * through systemd's file descriptor store.
 *
 * sock: an AF_INET (AF_INET6) socket of any type; -1: open a UDP socket for
 * each call (no CAP_NET_RAW needed).
 * names: /proc/net/ip_tables_names (ip6_tables_names) opened for reading,
 * read again from its start by each call (it lists the tables of the network
 * namespace it was opened in, as they are at the time of the read); -1: open
 * it for each call. */
typedef struct XtLegacySource {
        int sock;
        int names;
} XtLegacySource;

/* The names of the legacy tables that exist in this network namespace for
 * FAMILY (from /proc/self/net/ip_tables_names or ip6_tables_names, which
 * exist only once x_tables is loaded; mode 0440, root).  Asking the kernel for a table by name
 * would load its module and create it: only existing ones are read.
 * Returns the number of names (0 when there are none), or a negative errno. */
int xt_legacy_table_names(int family, char ***ret);
/* The same from NAMES_FD, an open names file (-1: open it here). */
int xt_legacy_table_names_from(int family, int names_fd, char ***ret);

/* Reads one table's INFO and entries with getsockopt() (CAP_NET_ADMIN),
 * retrying while the table changes between the two calls.  *entries is
 * malloc()ed.  Through SOCK (see XtLegacySource; -1: a UDP socket of its
 * own). */
int xt_legacy_read_raw(int family, const char *name, XtLegacyInfo *info, void **entries, size_t *size);
int xt_legacy_read_raw_with(int family, int sock, const char *name, XtLegacyInfo *info, void **entries,
                            size_t *size);

/* Every legacy table of FAMILY, decoded: *ret holds *n of them and a NULL
 * after them.  SRC NULL: opens what it needs. */
int xt_legacy_read(int family, XtLegacyTable ***ret, size_t *n);
int xt_legacy_read_with(const XtLegacySource *src, int family, XtLegacyTable ***ret, size_t *n);

/* Noticing a change.  x_tables sends no change notifications, so a caller
 * compares fingerprints now and then: one 64-bit FNV-1a hash over each
 * table's name, hooks (valid_hooks, hook_entry, underflow), entry count,
 * size and entries, with every entry's packet and byte counters and its
 * comefrom word (kernel bookkeeping, not a rule) left out, so traffic
 * never changes it while any change of a rule, a policy or a chain does
 * (one changed byte changes an FNV-1a hash of the same length for
 * certain).  Matches' kernel-private state (limit's credit, quota's
 * remainder, ...) is not in the entries the kernel copies out (those bytes
 * read as zero): a limit and a quota rule exhausted by traffic left the
 * fingerprint as it was.
 *
 * Measured on 6.18, 2 CPUs, in network namespaces of its own
 * (xt-legacy-capture fingerprint): no legacy tables (an empty names file,
 * as on a machine that never ran iptables-legacy): 10 us a call (IPv6:
 * 12 us), the cost of reading /proc; the filter table with only its
 * policies: 22 us; filter with 1,000 rules (-s ADDR -p tcp --dport N -j
 * ACCEPT, 200 KB of entries): 0.87 ms, of which getsockopt() 0.63 ms (the
 * kernel sums every rule's counters over all CPUs and copies them out)
 * and hashing 0.2 ms; 10,000 rules (2 MB): 8.7 ms. */
#define XT_LEGACY_FINGERPRINT_NONE UINT64_C(0xcbf29ce484222325)    /* no tables (FNV-1a's start) */

/* The fingerprint of one table: INFO as IPT_SO_GET_INFO returned it and
 * its SIZE bytes of ENTRIES.  -EBADMSG when the entries do not chain up
 * (an entry's next_offset runs past SIZE or is shorter than an entry). */
int xt_legacy_table_fingerprint(int family, const XtLegacyInfo *info, const void *entries, size_t size,
                                uint64_t *ret);

/* The fingerprint of every legacy table of FAMILY (NFPROTO_IPV4 or
 * NFPROTO_IPV6, which equal AF_INET and AF_INET6) in the caller's network
 * namespace, CAP_NET_ADMIN.  Only tables listed in
 * /proc/net/ip_tables_names (ip6_tables_names) are read: asking for one
 * that does not exist would load its module and create it (tables go away
 * only with their namespace or module, so the list does not go stale in
 * between).  None at all (or x_tables not loaded) gives
 * XT_LEGACY_FINGERPRINT_NONE.  A negative errno on failure. */
int xt_legacy_fingerprint(int family, uint64_t *ret);
/* The same through SRC (NULL: opens what it needs). */
int xt_legacy_fingerprint_with(const XtLegacySource *src, int family, uint64_t *ret);
