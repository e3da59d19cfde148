/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "nft-monitor.h"
#include "nl-attr.h"

_Static_assert(NFT_MONITOR_NAME_MAX == NFT_NAME_MAXLEN, "name length");

static void mnl_socket_closep(struct mnl_socket **nl) {
        if (*nl)
                mnl_socket_close(*nl);
}

int nft_monitor_open(struct mnl_socket **ret) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        int group = NFNLGRP_NFTABLES, size = (int) NFT_MONITOR_RCVBUF;

        nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
            mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
                return -errno;
        /* A big batch (iptables-nft-restore of a whole ruleset, a set
         * loaded with elements) is announced at once, faster than any
         * event loop reads; rmem_max (208 KiB by default) is far too
         * small, hence the FORCE variant where we may. */
        if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
            setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
                return -errno;
        *ret = TAKE_PTR(nl);
        return 0;
}

/* ---- decoding ---- */

typedef enum NftObjKind {
        OBJ_NONE,
        OBJ_TABLE,
        OBJ_CHAIN,
        OBJ_RULE,
        OBJ_SET,
        OBJ_SETELEM,
        OBJ_OBJ,
        OBJ_FLOWTABLE,
        OBJ_GEN,
} NftObjKind;

typedef struct MsgType {
        const char *name;
        NftObjKind kind;
        bool change;
} MsgType;

static const MsgType msg_types[] = {
        [NFT_MSG_NEWTABLE] = { "NEWTABLE", OBJ_TABLE, true },
        [NFT_MSG_GETTABLE] = { "GETTABLE", OBJ_TABLE, false },
        [NFT_MSG_DELTABLE] = { "DELTABLE", OBJ_TABLE, true },
        [NFT_MSG_NEWCHAIN] = { "NEWCHAIN", OBJ_CHAIN, true },
        [NFT_MSG_GETCHAIN] = { "GETCHAIN", OBJ_CHAIN, false },
        [NFT_MSG_DELCHAIN] = { "DELCHAIN", OBJ_CHAIN, true },
        [NFT_MSG_NEWRULE] = { "NEWRULE", OBJ_RULE, true },
        [NFT_MSG_GETRULE] = { "GETRULE", OBJ_RULE, false },
        [NFT_MSG_DELRULE] = { "DELRULE", OBJ_RULE, true },
        [NFT_MSG_NEWSET] = { "NEWSET", OBJ_SET, true },
        [NFT_MSG_GETSET] = { "GETSET", OBJ_SET, false },
        [NFT_MSG_DELSET] = { "DELSET", OBJ_SET, true },
        [NFT_MSG_NEWSETELEM] = { "NEWSETELEM", OBJ_SETELEM, true },
        [NFT_MSG_GETSETELEM] = { "GETSETELEM", OBJ_SETELEM, false },
        [NFT_MSG_DELSETELEM] = { "DELSETELEM", OBJ_SETELEM, true },
        [NFT_MSG_NEWGEN] = { "NEWGEN", OBJ_GEN, false },
        [NFT_MSG_GETGEN] = { "GETGEN", OBJ_GEN, false },
        [NFT_MSG_TRACE] = { "TRACE", OBJ_NONE, false },
        [NFT_MSG_NEWOBJ] = { "NEWOBJ", OBJ_OBJ, true },
        [NFT_MSG_GETOBJ] = { "GETOBJ", OBJ_OBJ, false },
        [NFT_MSG_DELOBJ] = { "DELOBJ", OBJ_OBJ, true },
        [NFT_MSG_GETOBJ_RESET] = { "GETOBJ_RESET", OBJ_OBJ, false },
        [NFT_MSG_NEWFLOWTABLE] = { "NEWFLOWTABLE", OBJ_FLOWTABLE, true },
        [NFT_MSG_GETFLOWTABLE] = { "GETFLOWTABLE", OBJ_FLOWTABLE, false },
        [NFT_MSG_DELFLOWTABLE] = { "DELFLOWTABLE", OBJ_FLOWTABLE, true },
        /* Linux 6.3 and later; the values are ABI */
        [NFT_MONITOR_MSG_GETRULE_RESET] = { "GETRULE_RESET", OBJ_RULE, false },
        [NFT_MONITOR_MSG_DESTROYTABLE + 0] = { "DESTROYTABLE", OBJ_TABLE, true },
        [NFT_MONITOR_MSG_DESTROYTABLE + 1] = { "DESTROYCHAIN", OBJ_CHAIN, true },
        [NFT_MONITOR_MSG_DESTROYTABLE + 2] = { "DESTROYRULE", OBJ_RULE, true },
        [NFT_MONITOR_MSG_DESTROYTABLE + 3] = { "DESTROYSET", OBJ_SET, true },
        [NFT_MONITOR_MSG_DESTROYTABLE + 4] = { "DESTROYSETELEM", OBJ_SETELEM, true },
        [NFT_MONITOR_MSG_DESTROYTABLE + 5] = { "DESTROYOBJ", OBJ_OBJ, true },
        [NFT_MONITOR_MSG_DESTROYFLOWTABLE] = { "DESTROYFLOWTABLE", OBJ_FLOWTABLE, true },
        [NFT_MONITOR_MSG_GETSETELEM_RESET] = { "GETSETELEM_RESET", OBJ_SETELEM, false },
};

static const MsgType *msg_type_find(uint16_t msg_type) {
        if (msg_type >= sizeof(msg_types) / sizeof(msg_types[0]) || !msg_types[msg_type].name)
                return NULL;
        return &msg_types[msg_type];
}

bool nft_monitor_msg_changes_ruleset(uint16_t msg_type) {
        const MsgType *t = msg_type_find(msg_type);
        return t ? t->change : true;
}

const char *nft_monitor_msg_name(uint16_t msg_type) {
        const MsgType *t = msg_type_find(msg_type);
        return t ? t->name : NULL;
}

/* What an attribute of a message kind is for this code. */
typedef enum AttrRole {
        ROLE_NONE,
        ROLE_TABLE,
        ROLE_CHAIN,
        ROLE_NAME,
        ROLE_HANDLE,
        ROLE_GENID,
        ROLE_PID,
        ROLE_COMM,
} AttrRole;

typedef struct AttrPolicy {
        uint16_t attr;
        AttrRole role;
} AttrPolicy;

/* The few attributes read of each kind; the rest are skipped.  Types and
 * lengths come with the role (attr_store). */
static const AttrPolicy policy_table[] = {
        { NFTA_TABLE_NAME, ROLE_TABLE }, { NFTA_TABLE_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_chain[] = {
        { NFTA_CHAIN_TABLE, ROLE_TABLE }, { NFTA_CHAIN_NAME, ROLE_CHAIN }, { NFTA_CHAIN_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_rule[] = {
        { NFTA_RULE_TABLE, ROLE_TABLE }, { NFTA_RULE_CHAIN, ROLE_CHAIN }, { NFTA_RULE_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_set[] = {
        { NFTA_SET_TABLE, ROLE_TABLE }, { NFTA_SET_NAME, ROLE_NAME }, { NFTA_SET_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_setelem[] = {
        { NFTA_SET_ELEM_LIST_TABLE, ROLE_TABLE }, { NFTA_SET_ELEM_LIST_SET, ROLE_NAME }, {} };
static const AttrPolicy policy_obj[] = {
        { NFTA_OBJ_TABLE, ROLE_TABLE }, { NFTA_OBJ_NAME, ROLE_NAME }, { NFTA_OBJ_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_flowtable[] = {
        { NFTA_FLOWTABLE_TABLE, ROLE_TABLE }, { NFTA_FLOWTABLE_NAME, ROLE_NAME },
        { NFTA_FLOWTABLE_HANDLE, ROLE_HANDLE }, {} };
static const AttrPolicy policy_gen[] = {
        { NFTA_GEN_ID, ROLE_GENID }, { NFTA_GEN_PROC_PID, ROLE_PID }, { NFTA_GEN_PROC_NAME, ROLE_COMM }, {} };

static const AttrPolicy *const policies[] = {
        [OBJ_TABLE] = policy_table,
        [OBJ_CHAIN] = policy_chain,
        [OBJ_RULE] = policy_rule,
        [OBJ_SET] = policy_set,
        [OBJ_SETELEM] = policy_setelem,
        [OBJ_OBJ] = policy_obj,
        [OBJ_FLOWTABLE] = policy_flowtable,
        [OBJ_GEN] = policy_gen,
};

/* A name: NUL-terminated and at most NFT_NAME_MAXLEN with the NUL, as the
 * kernel's own policy (NLA_STRING, NFT_NAME_MAXLEN - 1) has it. */
static void attr_store_name(const struct nlattr *a, char *dst) {
        if (!nl_attr_strz(a) || nl_attr_len(a) > NFT_MONITOR_NAME_MAX)
                return;
        /* validated: the payload ends with its NUL and fits */
        memcpy(dst, nl_attr_data(a), nl_attr_len(a));
}

/* comm: the kernel sends get_task_comm() with its NUL, but nothing below
 * trusts that; the characters before the first NUL, at most
 * NFT_MONITOR_COMM_MAX of them. */
static void attr_store_comm(const struct nlattr *a, char *dst) {
        size_t len = nl_attr_len(a);

        if (len > NFT_MONITOR_COMM_MAX)
                len = NFT_MONITOR_COMM_MAX;
        len = strnlen(nl_attr_data(a), len);
        memcpy(dst, nl_attr_data(a), len);
        dst[len] = '\0';
}

static void attr_store(const struct nlattr *a, AttrRole role, NftMonitorEvent *ev) {
        switch (role) {
        case ROLE_TABLE:
                attr_store_name(a, ev->table);
                break;
        case ROLE_CHAIN:
                attr_store_name(a, ev->chain);
                break;
        case ROLE_NAME:
                attr_store_name(a, ev->name);
                break;
        case ROLE_HANDLE:
                if (nl_attr_be64(a, &ev->handle) == 0)
                        ev->has_handle = true;
                break;
        case ROLE_GENID:
                (void) nl_attr_be32(a, &ev->genid);
                break;
        case ROLE_PID:
                ev->pid = (pid_t) nl_attr_be32_or(a, 0);
                break;
        case ROLE_COMM:
                attr_store_comm(a, ev->comm);
                break;
        case ROLE_NONE:
                break;
        }
}

static int nft_monitor_parse_one(const struct nlmsghdr *nlh, NftMonitorEvent *ev) {
        const struct nfgenmsg *g;
        const MsgType *t;

        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
                return -EBADMSG;
        g = mnl_nlmsg_get_payload(nlh);
        memset(ev, 0, sizeof(*ev));
        ev->msg_type = NFNL_MSG_TYPE(nlh->nlmsg_type);
        ev->family = g->nfgen_family;
        t = msg_type_find(ev->msg_type);
        if (t && policies[t->kind]) {
                NlAttrs tb;
                /* a malformed attribute (one running past the message:
                 * -EBADMSG) and those after it are absent, not a reason
                 * to lose the message: the caller still learns that
                 * something changed */
                (void) nl_attr_parse_nfgen(&tb, nlh);
                for (const AttrPolicy *p = policies[t->kind]; p->role != ROLE_NONE; p++)
                        if (tb.tb[p->attr])
                                attr_store(tb.tb[p->attr], p->role, ev);
        }
        return 0;
}

int nft_monitor_parse(const void *buf, size_t len, nft_monitor_event_cb cb, void *userdata) {
        const uint8_t *p = buf;
        size_t off = 0;
        int n = 0, r;

        if ((uintptr_t) buf % NLMSG_ALIGNTO != 0)
                return -EINVAL;
        while (len - off >= NLMSG_HDRLEN) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) (p + off);
                size_t msg_len = nlh->nlmsg_len, step;

                if (msg_len < NLMSG_HDRLEN || msg_len > len - off)
                        return -EBADMSG;
                /* the last message of a datagram may lack its padding */
                step = ((size_t) msg_len + NLMSG_ALIGNTO - 1) & ~((size_t) NLMSG_ALIGNTO - 1);
                off += step < len - off ? step : len - off;

                if (nlh->nlmsg_type < NLMSG_MIN_TYPE || NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
                        continue;
                NftMonitorEvent ev;
                r = nft_monitor_parse_one(nlh, &ev);
                if (r < 0)
                        return r;
                r = cb(&ev, userdata);
                if (r < 0)
                        return r;
                n++;
        }
        return off == len ? n : -EBADMSG;
}
