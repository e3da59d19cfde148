/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

#include <stdlib.h>

void json_init(JsonWriter *w, FILE *f, bool pretty) {
        memset(w, 0, sizeof(*w));
        w->f = f;
        w->pretty = pretty;
}

static void json_indent(JsonWriter *w) {
        if (!w->pretty)
                return;
        fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++)
                fputs("  ", w->f);
}

/* Called before every value and key: separates it from its predecessor. */
static void json_next(JsonWriter *w) {
        if (w->depth == 0)
                return;         /* the document itself: nothing before it */
        if (w->depth < w->allocated) {
                if (w->need_comma[w->depth])
                        fputc(',', w->f);
                w->need_comma[w->depth] = true;
        }
        json_indent(w);
}

static void json_value_prefix(JsonWriter *w) {
        /* A value right after its key needs no separator; array members do. */
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        json_next(w);
}

static void json_open(JsonWriter *w, char c) {
        json_value_prefix(w);
        fputc(c, w->f);
        w->depth++;
        if (w->depth >= w->allocated) {
                size_t n = w->allocated ? w->allocated * 2 : 16;
                bool *nv = realloc(w->need_comma, n * sizeof(bool));
                if (!nv) {
                        w->failed = true;
                        return;
                }
                w->need_comma = nv;
                w->allocated = n;
        }
        w->need_comma[w->depth] = false;
}

static void json_close(JsonWriter *w, char c) {
        bool had = w->depth < w->allocated && w->need_comma[w->depth];

        w->depth--;
        if (had)
                json_indent(w);
        fputc(c, w->f);
}

void json_object_begin(JsonWriter *w) { json_open(w, '{'); }
void json_object_end(JsonWriter *w) { json_close(w, '}'); }
void json_array_begin(JsonWriter *w) { json_open(w, '['); }
void json_array_end(JsonWriter *w) { json_close(w, ']'); }

/* Length of the well-formed UTF-8 sequence at S (at most LEN bytes), or 0. */
static size_t utf8_sequence_length(const unsigned char *s, size_t len) {
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07;
        else
                return 0;
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Reject overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void json_string_len(JsonWriter *w, const char *str, size_t len) {
        const unsigned char *s = (const unsigned char *) str;

        json_value_prefix(w);
        fputc('"', w->f);
        for (size_t i = 0; i < len;) {
                unsigned char c = s[i];
                size_t n;

                switch (c) {
                case '"':  fputs("\\\"", w->f); i++; continue;
                case '\\': fputs("\\\\", w->f); i++; continue;
                case '\n': fputs("\\n", w->f); i++; continue;
                case '\t': fputs("\\t", w->f); i++; continue;
                case '\r': fputs("\\r", w->f); i++; continue;
                default:
                        break;
                }
                if (c < 0x20 || c == 0x7f) {
                        fprintf(w->f, "\\u%04x", c);
                        i++;
                        continue;
                }
                n = utf8_sequence_length(s + i, len - i);
                if (n == 0) {
                        fputs("\\ufffd", w->f);
                        i++;
                        continue;
                }
                fwrite(s + i, 1, n, w->f);
                i += n;
        }
        fputc('"', w->f);
}

void json_string(JsonWriter *w, const char *s) {
        if (!s)
                json_null(w);
        else
                json_string_len(w, s, strlen(s));
}

void json_key(JsonWriter *w, const char *key) {
        json_next(w);
        w->after_key = true;            /* the key itself needs no separator */
        json_string(w, key);
        fputs(w->pretty ? ": " : ":", w->f);
        w->after_key = true;
}

void json_int(JsonWriter *w, int64_t v) {
        json_value_prefix(w);
        fprintf(w->f, "%" PRId64, v);
}

void json_uint(JsonWriter *w, uint64_t v) {
        json_value_prefix(w);
        fprintf(w->f, "%" PRIu64, v);
}

void json_bool(JsonWriter *w, bool v) {
        json_value_prefix(w);
        fputs(v ? "true" : "false", w->f);
}

void json_null(JsonWriter *w) {
        json_value_prefix(w);
        fputs("null", w->f);
}

int json_finish(JsonWriter *w) {
        free(w->need_comma);
        w->need_comma = NULL;
        w->allocated = 0;
        fputc('\n', w->f);
        if (w->failed)
                return -ENOMEM;
        if (fflush(w->f) != 0 || ferror(w->f))
                return -EIO;
        return 0;
}
