/* SPDX-License-Identifier: Apache-2.0 */
/* Differential-test driver: reads reader/writer pairs as JSON lines
 * ({"id":N,"reader":"<schema text>","writer":"<schema text>"}) on stdin and writes our
 * verdict for each as one JSON line on stdout, in input order:
 *   {"id":N,"verdict":"compatible"|"incompatible"|"exception"|"invalid",
 *    "items":[["TYPE","/location"],...],"error":"..."}
 * "invalid" means a schema did not parse (error holds which one and why); "exception" means
 * Avro's checker would throw (Confluent reports it as incompatible). Exit status 2 on
 * malformed input lines, else 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schemaregd/avro.h"

static struct sr_avro_schema *parse_side(const char *text, const char *side, json_t *out)
{
    struct sr_avro_parse_options opts = {0}; /* Confluent's defaults: no default validation */
    struct sr_err err = {0};
    struct sr_avro_schema *s = sr_avro_parse(text, strlen(text), NULL, NULL, 0, &opts, &err);
    if (!s) {
        char *msg = NULL;
        if (asprintf(&msg, "%s: %s", side, sr_err_message(&err)) < 0)
            abort();
        json_object_set_new(out, "verdict", json_string("invalid"));
        json_object_set_new(out, "error", json_string(msg));
        free(msg);
    }
    sr_err_clear(&err);
    return s;
}

static void check_pair(const char *reader_text, const char *writer_text, json_t *out)
{
    struct sr_avro_schema *reader = parse_side(reader_text, "reader", out);
    struct sr_avro_schema *writer = reader ? parse_side(writer_text, "writer", out) : NULL;
    if (reader && writer) {
        struct sr_avro_compat c;
        sr_avro_compat_check(reader, writer, &c);
        const char *verdict = c.exception ? "exception" : c.len ? "incompatible" : "compatible";
        json_object_set_new(out, "verdict", json_string(verdict));
        json_t *items = json_array();
        for (size_t i = 0; !c.exception && i < c.len; i++)
            json_array_append_new(items, json_pack("[ss]", sr_avro_incompat_name(c.items[i].type),
                                                   c.items[i].location));
        json_object_set_new(out, "items", items);
        if (c.exception)
            json_object_set_new(out, "error", json_string(c.exception));
        sr_avro_compat_fini(&c);
    }
    sr_avro_schema_decref(writer);
    sr_avro_schema_decref(reader);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int status = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lineno++;
        json_error_t jerr;
        json_t *in = json_loadb(line, (size_t)n, 0, &jerr);
        const char *reader = json_string_value(json_object_get(in, "reader"));
        const char *writer = json_string_value(json_object_get(in, "writer"));
        if (!reader || !writer) {
            fprintf(stderr, "diff_driver: line %ld: expected {\"reader\":...,\"writer\":...}\n",
                    lineno);
            json_decref(in);
            status = 2;
            continue;
        }
        json_t *out = json_object();
        json_t *id = json_object_get(in, "id");
        json_object_set(out, "id", id ? id : json_null());
        check_pair(reader, writer, out);
        char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        puts(text);
        free(text);
        json_decref(out);
        json_decref(in);
    }
    free(line);
    return status;
}
