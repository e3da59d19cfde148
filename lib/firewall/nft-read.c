/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * nftables over a netlink socket: the consistent dump (generation checked
 * before and after, retried), read into an NftRuleset by the decoder
 * (nft-decode.c), and the live one-element set lookups the evaluator asks
 * through (nft-lookup.h).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "macro.h"
#include "nft-internal.h"
#include "nft-lookup.h"
#include "nft-ruleset.h"
#include "nl-attr.h"

/* ---- the socket ---- */

#define DUMP_BUFSIZE (256u * 1024u)
#define REQ_BUFSIZE 8192

typedef struct DumpConn {
        struct mnl_socket *nl;
        uint32_t portid, seq;
        uint8_t *buf;
} DumpConn;

static void conn_close(DumpConn *c) {
        if (c->nl)
                mnl_socket_close(c->nl);
        c->nl = NULL;
}

/* Closes C's socket and frees its buffer (for _cleanup_). */
static void conn_done(DumpConn *c) {
        conn_close(c);
        free(c->buf);
        c->buf = NULL;
}

static int conn_open(DumpConn *c) {
        conn_close(c);
        c->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!c->nl)
                return -errno;
        if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                conn_close(c);
                return r;
        }
        c->portid = mnl_socket_get_portid(c->nl);
        return 0;
}

/* BUF is REQ_BUFSIZE bytes; zeroed, so that no attribute's padding sends
 * stack bytes to the kernel. */
static struct nlmsghdr *request_hdr(void *buf, uint16_t type, int family, uint16_t flags, uint32_t seq) {
        memset(buf, 0, REQ_BUFSIZE);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = (uint16_t) ((NFNL_SUBSYS_NFTABLES << 8) | type);
        nlh->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | flags);
        nlh->nlmsg_seq = seq;
        struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = (uint8_t) family;
        g->version = NFNETLINK_V0;
        g->res_id = 0;
        return nlh;
}

/* Receive callback: sees each buffer of a reply; returns <0 to abort the
 * dump (the socket is then unusable until reopened). */
typedef int (*ReplyFn)(const void *buf, size_t len, void *userdata);

/* Sends `req` and receives until NLMSG_DONE (dumps) or the single reply /
 * ack.  Sets *intr when the kernel flagged the dump interrupted. */
static int conn_transact(DumpConn *c, const struct nlmsghdr *req, bool dump, ReplyFn fn, void *userdata,
                         bool *intr) {
        if (mnl_socket_sendto(c->nl, req, req->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(c->nl, c->buf, DUMP_BUFSIZE);
                if (n < 0)
                        return -errno;
                bool done = false;
                int err = 0;
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) c->buf;
                size_t rem = (size_t) n;
                for (; nl_msg_ok(nlh, rem); nlh = nl_msg_next(nlh, &rem)) {
                        if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != c->portid)
                                return -EPROTO;
                        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                                *intr = true;
                        if (nlh->nlmsg_type == NLMSG_DONE)
                                done = true;
                        else if (nlh->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
                                if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
                                        return -EBADMSG;
                                err = e->error;
                                done = true;
                        } else if (!dump && !(req->nlmsg_flags & NLM_F_ACK))
                                done = true;
                }
                if (err < 0)
                        return err;
                if (fn) {
                        int r = fn(c->buf, (size_t) n, userdata);
                        if (r < 0)
                                return r;
                }
                if (done)
                        return 0;
        }
}

typedef struct SetRef {
        int family;
        char table[256], name[256];
        uint32_t flags;
        bool updated_by_rule;   /* the target of a rule's dynset */
} SetRef;

typedef struct DumpState {
        const NftDumpSink *sink;
        SetRef *sets;
        size_t n_sets, allocated_sets;
        /* element dump of a named set, held back until known to be small */
        uint8_t *held;
        size_t held_len, held_allocated, held_elems;
        uint32_t genid;
} DumpState;

static void dump_state_done(DumpState *s) {
        free(s->sets);
        free(s->held);
}

static int sink_cb(const void *buf, size_t len, void *userdata) {
        DumpState *s = userdata;
        return s->sink->msgs(buf, len, s->sink->userdata);
}

/* FN for each nftables message of MSG_TYPE in BUF (one datagram of an
 * answer), with its attributes, or T NULL when they do not parse (FN says
 * what that means for its message).  A negative return of FN ends it. */
static int nft_msgs_each(const void *buf, size_t len, uint8_t msg_type,
                         int (*fn)(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata), void *userdata) {
        const struct nlmsghdr *nlh = buf;
        size_t rem = len;

        for (; nl_msg_ok(nlh, rem); nlh = nl_msg_next(nlh, &rem)) {
                NlAttrs t;
                int r;
                if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES || (nlh->nlmsg_type & 0xff) != msg_type)
                        continue;
                r = fn(nlh, nl_attr_parse_nfgen(&t, nlh) == 0 ? &t : NULL, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int gen_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        (void) nlh;
        if (t)
                (void) nl_attr_be32(t->tb[NFTA_GEN_ID], &s->genid);
        return 0;
}

static int gen_cb(const void *buf, size_t len, void *userdata) {
        (void) nft_msgs_each(buf, len, NFT_MSG_NEWGEN, gen_msg, userdata);
        return sink_cb(buf, len, userdata);
}

static int set_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        if (!t)
                return -EBADMSG;
        const char *tn = nl_attr_strz(t->tb[NFTA_SET_TABLE]), *sn = nl_attr_strz(t->tb[NFTA_SET_NAME]);
        if (!tn || !sn || strlen(tn) >= 256 || strlen(sn) >= 256)
                return -EBADMSG;
        if (NFT_GROW(s->sets, s->n_sets + 1, s->allocated_sets) < 0)
                return -ENOMEM;
        SetRef *ref = &s->sets[s->n_sets++];
        *ref = (SetRef) {};
        ref->family = ((const struct nfgenmsg *) mnl_nlmsg_get_payload(nlh))->nfgen_family;
        strcpy(ref->table, tn);
        strcpy(ref->name, sn);
        ref->flags = nl_attr_be32_or(t->tb[NFTA_SET_FLAGS], 0);
        return 0;
}

static int sets_cb(const void *buf, size_t len, void *userdata) {
        int r = nft_msgs_each(buf, len, NFT_MSG_NEWSET, set_msg, userdata);
        return r < 0 ? r : sink_cb(buf, len, userdata);
}

/* Marks the set a dynset expression of a rule in TABLE updates. */
static void mark_dynset_target(DumpState *s, int family, const char *table, const struct nlattr *expr) {
        const struct nlattr *e[NFTA_EXPR_MAX + 1], *d[NFTA_DYNSET_MAX + 1];
        const char *name, *set;
        if (nl_attr_parse_nested_n(e, ELEMENTSOF(e), expr) < 0 || !(name = nl_attr_strz(e[NFTA_EXPR_NAME])) ||
            strcmp(name, "dynset") != 0 || !e[NFTA_EXPR_DATA] ||
            nl_attr_parse_nested_n(d, ELEMENTSOF(d), e[NFTA_EXPR_DATA]) < 0 ||
            !(set = nl_attr_strz(d[NFTA_DYNSET_SET_NAME])))
                return;
        for (size_t i = 0; i < s->n_sets; i++)
                if (s->sets[i].family == family && strcmp(s->sets[i].table, table) == 0 &&
                    strcmp(s->sets[i].name, set) == 0)
                        s->sets[i].updated_by_rule = true;
}

static int rule_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        const char *table;
        const struct nlattr *a;
        if (!t || !(table = nl_attr_strz(t->tb[NFTA_RULE_TABLE])) || !t->tb[NFTA_RULE_EXPRESSIONS])
                return 0;       /* the decoder judges the message */
        int family = ((const struct nfgenmsg *) mnl_nlmsg_get_payload(nlh))->nfgen_family;
        nl_attr_for_each_nested(a, t->tb[NFTA_RULE_EXPRESSIONS])
                mark_dynset_target(s, family, table, a);
        return 0;
}

static int rules_cb(const void *buf, size_t len, void *userdata) {
        DumpState *s = userdata;
        /* without a set there is nothing to mark: the sink's decoder is
         * the only reader of the rules */
        if (s->n_sets > 0)
                (void) nft_msgs_each(buf, len, NFT_MSG_NEWRULE, rule_msg, userdata);
        return sink_cb(buf, len, userdata);
}

static int held_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        DumpState *s = userdata;
        const struct nlattr *a;
        (void) nlh;
        if (!t)
                return -EBADMSG;
        if (t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                nl_attr_for_each_nested(a, t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                        s->held_elems++;
        return 0;
}

static int held_cb(const void *buf, size_t len, void *userdata) {
        DumpState *s = userdata;
        int r = nft_msgs_each(buf, len, NFT_MSG_NEWSETELEM, held_msg, s);
        if (r < 0)
                return r;
        if (s->held_elems > NFT_SMALL_SET_MAX)
                return -E2BIG;
        if (nft_grow((void **) &s->held, &s->held_allocated, s->held_len + len, 1) < 0)
                return -ENOMEM;
        memcpy(s->held + s->held_len, buf, len);
        s->held_len += len;
        return 0;
}

static int dump_simple(DumpConn *c, DumpState *s, uint16_t type, ReplyFn fn, bool *intr) {
        uint8_t req[REQ_BUFSIZE];
        struct nlmsghdr *nlh = request_hdr(req, type, NFPROTO_UNSPEC, NLM_F_DUMP, ++c->seq);
        int r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
        if (r < 0)
                return r;
        return conn_transact(c, nlh, true, fn, s, intr);
}

static int get_gen(DumpConn *c, DumpState *s) {
        uint8_t req[REQ_BUFSIZE];
        bool intr = false;
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETGEN, NFPROTO_UNSPEC, 0, ++c->seq);
        return conn_transact(c, nlh, false, gen_cb, s, &intr);
}

static int dump_set_elems(DumpConn *c, DumpState *s, const SetRef *ref, bool *intr) {
        uint8_t req[REQ_BUFSIZE];
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETSETELEM, ref->family, NLM_F_DUMP, ++c->seq);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ref->table);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ref->name);

        /* Elements of a named set with timeouts expire, and the packet path
         * adds to a set that a rule's `add @set` / `update @set` (or a
         * meter) names, with or without NFT_SET_EVAL, both without a new
         * generation: a copy would go stale unseen, so those are asked one
         * element at a time too. */
        if (!(ref->flags & NFT_SET_ANONYMOUS) &&
            ((ref->flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL)) || ref->updated_by_rule))
                return 0;

        if (ref->flags & NFT_SET_ANONYMOUS) {
                /* part of a rule's text: always read whole */
                int r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
                if (r < 0)
                        return r;
                return conn_transact(c, nlh, true, sink_cb, s, intr);
        }

        s->held_len = s->held_elems = 0;
        int r = conn_transact(c, nlh, true, held_cb, s, intr);
        if (r == -E2BIG)
                /* a large set: leave it to per-element lookups; the dump is
                 * still running on this socket, so start a fresh one */
                return conn_open(c);
        if (r < 0)
                return r;
        r = s->sink->msgs(nlh, nlh->nlmsg_len, s->sink->userdata);
        if (r < 0)
                return r;
        return s->sink->msgs(s->held, s->held_len, s->sink->userdata);
}

static int dump_once(DumpConn *c, DumpState *s, bool *consistent) {
        bool intr = false;
        int r;

        s->n_sets = 0;
        if ((r = get_gen(c, s)) < 0)
                return r;
        uint32_t gen_before = s->genid;
        /* objects and flowtables are not decoded, but an NftStore keeps
         * them; the rules come before the elements, to tell which sets
         * rules update */
        if ((r = dump_simple(c, s, NFT_MSG_GETTABLE, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETCHAIN, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETSET, sets_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETOBJ, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETFLOWTABLE, sink_cb, &intr)) < 0 ||
            (r = dump_simple(c, s, NFT_MSG_GETRULE, rules_cb, &intr)) < 0)
                return r;
        for (size_t i = 0; i < s->n_sets; i++) {
                r = dump_set_elems(c, s, &s->sets[i], &intr);
                /* a set deleted since the set dump: the generation check
                 * below catches it */
                if (r == -ENOENT) {
                        intr = true;
                        continue;
                }
                if (r < 0)
                        return r;
        }
        if ((r = get_gen(c, s)) < 0)
                return r;
        *consistent = !intr && s->genid == gen_before;
        return 0;
}

int nft_dump_raw(const NftDumpSink *sink) {
        _cleanup_(conn_done) DumpConn c = { .seq = (uint32_t) time(NULL) };
        _cleanup_(dump_state_done) DumpState s = { .sink = sink };
        int r;

        if (!(c.buf = malloc(DUMP_BUFSIZE)))
                return -ENOMEM;
        if ((r = conn_open(&c)) < 0)
                return r;
        for (unsigned attempt = 0; attempt < NFT_DUMP_RETRIES; attempt++) {
                bool consistent = false;
                if (attempt > 0 && sink->reset && (r = sink->reset(sink->userdata)) < 0)
                        return r;
                r = dump_once(&c, &s, &consistent);
                if (r == -EINTR || r == -EBUSY || r == -ESTALE) {
                        /* the kernel aborts a dump racing a commit; a
                         * chain or rule of a table created after the table
                         * dump (-ESTALE from the decoder) is the same race */
                        if ((r = conn_open(&c)) < 0)
                                return r;
                        continue;
                }
                if (r < 0 || consistent)
                        return r;
        }
        return -EAGAIN;
}

/* userdata: the NftRuleset ** being read into */
static int read_reset(void *userdata) {
        NftRuleset **rs = userdata;
        nft_ruleset_free(*rs);
        *rs = nft_ruleset_new();
        return *rs ? 0 : -ENOMEM;
}

static int read_msgs(const void *buf, size_t len, void *userdata) {
        NftRuleset **rs = userdata;
        return nft_ruleset_parse_msgs(*rs, buf, len);
}

int nft_ruleset_read(NftRuleset **ret) {
        _cleanup_(nft_ruleset_freep) NftRuleset *rs = nft_ruleset_new();
        if (!rs)
                return -ENOMEM;
        NftDumpSink sink = { .reset = read_reset, .msgs = read_msgs, .userdata = &rs };
        int r = nft_dump_raw(&sink);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rs);
        return 0;
}

/* ---- per-element lookups against the live kernel ---- */

struct NftLiveLookup {
        DumpConn conn;
};

int nft_live_lookup_new(NftLiveLookup **ret) {
        _cleanup_(nft_live_lookup_freep) NftLiveLookup *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->conn.seq = (uint32_t) time(NULL);
        if (!(l->conn.buf = malloc(DUMP_BUFSIZE)))
                return -ENOMEM;
        int r = conn_open(&l->conn);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

NftLiveLookup *nft_live_lookup_free(NftLiveLookup *l) {
        if (!l)
                return NULL;
        conn_done(&l->conn);
        free(l);
        return NULL;
}

typedef struct ElemReply {
        const NftSet *set;
        bool found;
        NftSetElemData *data;
        int error;
} ElemReply;

static int elem_reply_msg(const struct nlmsghdr *nlh, const NlAttrs *t, void *userdata) {
        ElemReply *er = userdata;
        (void) nlh;
        if (!t || !t->tb[NFTA_SET_ELEM_LIST_ELEMENTS])
                return -EBADMSG;
        const struct nlattr *a;
        nl_attr_for_each_nested(a, t->tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
                NlAttrs e;
                if (nl_attr_parse_nested(&e, a) < 0)
                        return -EBADMSG;
                er->found = true;
                if (!er->data || !e.tb[NFTA_SET_ELEM_DATA])
                        continue;
                NlAttrs dt;
                if (nl_attr_parse_nested(&dt, e.tb[NFTA_SET_ELEM_DATA]) < 0)
                        return -EBADMSG;
                if (dt.tb[NFTA_DATA_VERDICT]) {
                        NlAttrs v;
                        if (nl_attr_parse_nested(&v, dt.tb[NFTA_DATA_VERDICT]) < 0)
                                return -EBADMSG;
                        er->data->verdict = (int32_t) nl_attr_be32_or(v.tb[NFTA_VERDICT_CODE],
                                                                  (uint32_t) NFT_CONTINUE);
                        const char *ch = nl_attr_strz(v.tb[NFTA_VERDICT_CHAIN]);
                        snprintf(er->data->chain, sizeof(er->data->chain), "%s", ch ? ch : "");
                } else {
                        const void *d;
                        size_t dlen;
                        if (nft_attr_data_value(e.tb[NFTA_SET_ELEM_DATA], &d, &dlen) < 0)
                                return -EBADMSG;
                        memcpy(er->data->data, d, dlen);
                        er->data->len = (uint8_t) dlen;
                }
        }
        return 0;
}

static int elem_reply_cb(const void *buf, size_t len, void *userdata) {
        return nft_msgs_each(buf, len, NFT_MSG_NEWSETELEM, elem_reply_msg, userdata);
}

NftLookupResult nft_set_lookup_live(const NftRuleset *rs, const NftSet *set, const uint8_t *key,
                                    size_t key_len, NftSetElemData *ret_data, void *userdata) {
        NftLiveLookup *l = userdata;
        uint8_t req[REQ_BUFSIZE];
        const NftTable *t = &rs->tables[set->table];
        bool intr = false;

        if (!l || !l->conn.nl || key_len != set->key_len)
                return NFT_LOOKUP_UNKNOWN;
        /* Without NLM_F_DUMP the kernel looks the one key up (in an
         * interval set, the interval containing it) and answers with that
         * element or ENOENT. */
        struct nlmsghdr *nlh = request_hdr(req, NFT_MSG_GETSETELEM, t->family, NLM_F_ACK, ++l->conn.seq);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, t->name);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set->name);
        struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
        struct nlattr *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, key_len, key);
        mnl_attr_nest_end(nlh, k);
        mnl_attr_nest_end(nlh, elem);
        mnl_attr_nest_end(nlh, list);

        NftSetElemData scratch;
        memset(&scratch, 0, sizeof(scratch));
        scratch.verdict = NFT_CONTINUE;
        ElemReply er = { .set = set, .data = ret_data ? ret_data : &scratch };
        if (ret_data) {
                memset(ret_data, 0, sizeof(*ret_data));
                ret_data->verdict = NFT_CONTINUE;
        }
        int r = conn_transact(&l->conn, nlh, false, elem_reply_cb, &er, &intr);
        if (r == -ENOENT)
                return NFT_LOOKUP_ABSENT;
        if (r < 0) {
                /* the socket may hold a half-read answer: start afresh */
                (void) conn_open(&l->conn);
                return NFT_LOOKUP_UNKNOWN;
        }
        return er.found ? NFT_LOOKUP_PRESENT : NFT_LOOKUP_UNKNOWN;
}
