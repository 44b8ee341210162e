/* SPDX-License-Identifier: Apache-2.0 */
/* Data-driven tests of the Avro model (no database, no network). Each file under
 * tests/data/avro holds cases separated by blank lines; each line starts with a directive:
 *   # comment            @ name            ~ defaults   (validate field defaults)
 *   r <schema>           a referenced schema (before <)
 *   < <schema>           the schema under test (one line)
 *   > <text>             expected canonical string
 *   n <text>             expected normalized string (Confluent's normalize=true)
 *   v <text>             expected resolved string (references inlined)
 *   ! <text>             expected parse error message
 *   R <schema> / W <schema>   reader / writer for a compatibility check
 *   = compatible         the pair must be compatible
 *   x <TYPE> <location> <message>   one expected incompatibility, in order
 *   X <text>             the checker must throw with this message
 * Usage: test_avro FILE... ; exits non-zero on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemaregd/avro.h"

#define MAX_LINES 64

struct tcase {
    const char *file;
    int line;
    char *name;
    bool defaults;
    char *refs[16];
    size_t n_refs;
    char *input, *canonical, *normalized, *resolved, *error;
    char *reader, *writer;
    bool expect_compatible;
    char *incompat[MAX_LINES];
    size_t n_incompat;
    char *exception;
};

static int failures, cases;

static void fail(const struct tcase *c, const char *what, const char *want, const char *got)
{
    failures++;
    fprintf(stderr, "FAIL %s:%d%s%s: %s\n  want: %s\n  got:  %s\n", c->file, c->line,
            c->name ? " " : "", c->name ? c->name : "", what, want ? want : "(nothing)",
            got ? got : "(nothing)");
}

static struct sr_avro_schema *parse(const struct tcase *c, const char *text, char *errbuf,
                                    size_t cap)
{
    struct sr_avro_parse_options o = {.validate_defaults = c->defaults};
    size_t lens[16];
    for (size_t i = 0; i < c->n_refs; i++)
        lens[i] = strlen(c->refs[i]);
    struct sr_err err = {0};
    struct sr_avro_schema *s =
        sr_avro_parse(text, strlen(text), (const char *const *)c->refs, lens, c->n_refs, &o, &err);
    if (!s)
        snprintf(errbuf, cap, "%s", err.message);
    return s;
}

static void check_form(const struct tcase *c, struct sr_avro_schema *s, enum sr_avro_form f,
                       const char *want, const char *what)
{
    if (!want)
        return;
    char *got = sr_avro_to_string(s, f);
    if (strcmp(got, want) != 0)
        fail(c, what, want, got);
    free(got);
}

static void run_schema_case(const struct tcase *c)
{
    char err[4096] = "";
    struct sr_avro_schema *s = parse(c, c->input, err, sizeof(err));
    if (c->error) {
        if (s)
            fail(c, "parse should fail", c->error, "(parsed)");
        else if (strcmp(err, c->error) != 0)
            fail(c, "parse error", c->error, err);
    } else if (!s) {
        fail(c, "parse should succeed", "(parsed)", err);
    } else {
        check_form(c, s, SR_AVRO_FORM_CANONICAL, c->canonical, "canonical");
        if (c->normalized) {
            struct sr_avro_parse_options o = {.validate_defaults = c->defaults};
            struct sr_err nerr = {0};
            struct sr_avro_schema *norm = sr_avro_normalize(s, &o, &nerr);
            if (!norm)
                fail(c, "normalize", c->normalized, nerr.message);
            else
                check_form(c, norm, SR_AVRO_FORM_CANONICAL, c->normalized, "normalized");
            sr_avro_schema_decref(norm);
        }
        check_form(c, s, SR_AVRO_FORM_RESOLVED, c->resolved, "resolved");
        /* The canonical string must parse back to itself. */
        char *canon = sr_avro_to_string(s, SR_AVRO_FORM_CANONICAL);
        char err2[4096] = "";
        struct sr_avro_schema *again = parse(c, canon, err2, sizeof(err2));
        if (!again) {
            fail(c, "canonical form must re-parse", canon, err2);
        } else {
            char *canon2 = sr_avro_to_string(again, SR_AVRO_FORM_CANONICAL);
            if (strcmp(canon, canon2) != 0)
                fail(c, "canonical form must be a fixed point", canon, canon2);
            free(canon2);
        }
        sr_avro_schema_decref(again);
        free(canon);
    }
    sr_avro_schema_decref(s);
}

static void run_compat_case(const struct tcase *c)
{
    char err[4096] = "";
    struct sr_avro_schema *r = parse(c, c->reader, err, sizeof(err));
    if (!r) {
        fail(c, "reader must parse", "", err);
        return;
    }
    struct sr_avro_schema *w = parse(c, c->writer, err, sizeof(err));
    if (!w) {
        fail(c, "writer must parse", "", err);
        sr_avro_schema_decref(r);
        return;
    }
    struct sr_avro_compat res;
    sr_avro_compat_check(r, w, &res);
    if (c->exception) {
        if (!res.exception || strcmp(res.exception, c->exception) != 0)
            fail(c, "exception", c->exception, res.exception);
    } else if (res.exception) {
        fail(c, "unexpected exception", "", res.exception);
    } else {
        size_t n = res.len > c->n_incompat ? res.len : c->n_incompat;
        for (size_t i = 0; i < n; i++) {
            char got[4096] = "";
            if (i < res.len)
                snprintf(got, sizeof(got), "%s %s %s", sr_avro_incompat_name(res.items[i].type),
                         res.items[i].location, res.items[i].message);
            const char *want = i < c->n_incompat ? c->incompat[i] : NULL;
            if (!want || i >= res.len || strcmp(want, got) != 0)
                fail(c, "incompatibility", want, i < res.len ? got : NULL);
        }
        if (c->expect_compatible && res.len)
            fail(c, "should be compatible", "", "incompatible");
    }
    sr_avro_compat_fini(&res);
    sr_avro_schema_decref(r);
    sr_avro_schema_decref(w);
}

static void reset(struct tcase *c)
{
    free(c->name);
    for (size_t i = 0; i < c->n_refs; i++)
        free(c->refs[i]);
    free(c->input);
    free(c->canonical);
    free(c->normalized);
    free(c->resolved);
    free(c->error);
    free(c->reader);
    free(c->writer);
    for (size_t i = 0; i < c->n_incompat; i++)
        free(c->incompat[i]);
    free(c->exception);
    const char *file = c->file;
    memset(c, 0, sizeof(*c));
    c->file = file;
}

static void run(struct tcase *c)
{
    if (c->input) {
        cases++;
        run_schema_case(c);
    } else if (c->reader && c->writer) {
        cases++;
        run_compat_case(c);
    }
    reset(c);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    struct tcase c = {.file = path};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0) {
            run(&c);
            continue;
        }
        if (!c.line)
            c.line = lineno;
        char d = line[0];
        const char *arg = n > 2 ? line + 2 : "";
        switch (d) {
        case '#':
            break;
        case '@':
            if (!c.name) /* a name may continue on further @ lines */
                c.name = strdup(arg);
            break;
        case '~':
            c.defaults = true;
            break;
        case 'r':
            if (c.n_refs < 16)
                c.refs[c.n_refs++] = strdup(arg);
            break;
        case '<':
            c.input = strdup(arg);
            break;
        case '>':
            c.canonical = strdup(arg);
            break;
        case 'n':
            c.normalized = strdup(arg);
            break;
        case 'v':
            c.resolved = strdup(arg);
            break;
        case '!':
            c.error = strdup(arg);
            break;
        case 'R':
            c.reader = strdup(arg);
            break;
        case 'W':
            c.writer = strdup(arg);
            break;
        case '=':
            c.expect_compatible = true;
            break;
        case 'x':
            if (c.n_incompat < MAX_LINES)
                c.incompat[c.n_incompat++] = strdup(arg);
            break;
        case 'X':
            c.exception = strdup(arg);
            break;
        default:
            fprintf(stderr, "%s:%d: unknown directive '%c'\n", path, lineno, d);
            failures++;
        }
    }
    run(&c);
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (run_file(argv[i]))
            return 1;
    printf("avro: %d cases, %d failures\n", cases, failures);
    return failures ? 1 : 0;
}
