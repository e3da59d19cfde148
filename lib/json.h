/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A minimal streaming JSON writer: enough for the CLI's single-object
 * outputs.  Strings are written as valid UTF-8 whatever the input: bytes
 * that are not well-formed UTF-8 (a config file is arbitrary bytes) become
 * U+FFFD, control characters are escaped.
 */
typedef struct JsonWriter {
        FILE *f;
        unsigned depth;
        bool *need_comma;       /* per open level: a member was written */
        size_t allocated;
        bool failed;            /* out of memory: the document is not valid */
        bool pretty;
        bool after_key;         /* a key was written, its value is next */
} JsonWriter;

void json_init(JsonWriter *w, FILE *f, bool pretty);
void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);
/* Writes the key of the next member of the current object. */
void json_key(JsonWriter *w, const char *key);
void json_string(JsonWriter *w, const char *s);     /* NULL writes null */
void json_string_len(JsonWriter *w, const char *s, size_t len);
void json_int(JsonWriter *w, int64_t v);
void json_uint(JsonWriter *w, uint64_t v);
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* Ends the document with a newline and frees the writer's state; returns 0,
 * -ENOMEM if nesting state could not be allocated, -EIO if a write failed. */
int json_finish(JsonWriter *w);
