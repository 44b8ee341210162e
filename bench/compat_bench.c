/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of a FULL_TRANSITIVE compatibility check: a new version of a 50-field record is
 * checked against 1,000 stored versions, newest first, in both directions as core does
 * (forward: old reads new, then backward: new reads old). Every version is a realistic,
 * fully compatible evolution of the one before, so all 1,000 are visited. Reports the median
 * (and range) over several runs of: parsing the stored versions, the check on parsed schemas,
 * and the check with parsing included (cold cache).
 * Usage: compat_bench [--versions N] [--runs R] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schemaregd/avro.h"
#include "schemaregd/util.h"

#define CORE_FIELDS 40
#define EXT_FIELDS 10 /* a rolling window: version k adds ext_k and drops ext_(k-10) */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void core_field(struct sr_buf *b, int i, int version)
{
    /* Ten kinds of field, four of each; notes flip between string and bytes over time (the
     * one type change Avro accepts in both directions). */
    int kind = i % 10, n = i / 10;
    switch (kind) {
    case 0:
        sr_buf_printf(b, "{\"name\":\"id_%d\",\"type\":\"long\"}", n);
        break;
    case 1:
        sr_buf_printf(b, "{\"name\":\"name_%d\",\"type\":\"string\",\"doc\":\"display name\"}", n);
        break;
    case 2:
        sr_buf_printf(b, "{\"name\":\"email_%d\",\"type\":[\"null\",\"string\"],\"default\":null}",
                      n);
        break;
    case 3:
        sr_buf_printf(b,
                      "{\"name\":\"created_%d\",\"type\":{\"type\":\"long\","
                      "\"logicalType\":\"timestamp-millis\"}}",
                      n);
        break;
    case 4:
        sr_buf_printf(b, "{\"name\":\"note_%d\",\"type\":\"%s\",\"default\":\"\"}", n,
                      (version / 25 + n) % 2 ? "bytes" : "string");
        break;
    case 5:
        sr_buf_printf(
            b, "{\"name\":\"tags_%d\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}", n);
        break;
    case 6:
        sr_buf_printf(b,
                      "{\"name\":\"attrs_%d\",\"type\":{\"type\":\"map\",\"values\":[\"null\","
                      "\"long\",\"double\",\"string\"]},\"default\":{}}",
                      n);
        break;
    case 7:
        if (n == 0) {
            sr_buf_adds(b, "{\"name\":\"status_0\",\"type\":{\"type\":\"enum\",\"name\":\"Status\","
                           "\"symbols\":[\"UNKNOWN\",\"ACTIVE\",\"SUSPENDED\"");
            for (int s = 1; s <= version / 50; s++)
                sr_buf_printf(b, ",\"STATE_%d\"", s);
            sr_buf_adds(b, "],\"default\":\"UNKNOWN\"}}");
        } else {
            sr_buf_printf(b, "{\"name\":\"status_%d\",\"type\":\"Status\",\"default\":\"UNKNOWN\"}",
                          n);
        }
        break;
    case 8:
        if (n == 0)
            sr_buf_adds(b, "{\"name\":\"address_0\",\"type\":{\"type\":\"record\",\"name\":"
                           "\"Address\",\"fields\":[{\"name\":\"street\",\"type\":\"string\"},"
                           "{\"name\":\"city\",\"type\":\"string\"},{\"name\":\"zip\",\"type\":"
                           "[\"null\",\"string\"],\"default\":null},{\"name\":\"country\","
                           "\"type\":\"string\",\"default\":\"DE\"}]}}");
        else
            sr_buf_printf(b,
                          "{\"name\":\"address_%d\",\"type\":[\"null\",\"Address\"],"
                          "\"default\":null}",
                          n);
        break;
    default:
        if (n == 0)
            sr_buf_adds(b, "{\"name\":\"digest_0\",\"type\":{\"type\":\"fixed\",\"name\":\"MD5\","
                           "\"size\":16}}");
        else
            sr_buf_printf(b,
                          "{\"name\":\"lines_%d\",\"type\":{\"type\":\"array\",\"items\":{\"type\":"
                          "\"record\",\"name\":\"Line%d\",\"fields\":[{\"name\":\"sku\",\"type\":"
                          "\"string\"},{\"name\":\"qty\",\"type\":\"int\"},{\"name\":\"price\","
                          "\"type\":\"double\"},{\"name\":\"digest\",\"type\":\"MD5\"}]}},"
                          "\"default\":[]}",
                          n, n);
        break;
    }
}

/* Version k (1-based) of the record as schema text. New. */
static char *version_text(int k)
{
    static const char *const ext_types[] = {"\"string\"", "\"long\"", "\"double\"", "\"Address\"",
                                            "{\"type\":\"array\",\"items\":\"string\"}"};
    struct sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_printf(&b,
                  "{\"type\":\"record\",\"name\":\"Customer\",\"namespace\":\"com.example.crm\","
                  "\"doc\":\"customer, version %d\",\"fields\":[",
                  k);
    for (int i = 0; i < CORE_FIELDS; i++) {
        if (i)
            sr_buf_addc(&b, ',');
        core_field(&b, i, k);
    }
    for (int e = k - EXT_FIELDS + 1; e <= k; e++)
        sr_buf_printf(&b, ",{\"name\":\"ext_%d\",\"type\":[\"null\",%s],\"default\":null}",
                      e + EXT_FIELDS, ext_types[(e + EXT_FIELDS) % 5]);
    sr_buf_adds(&b, "]}");
    return sr_buf_take(&b);
}

static struct sr_avro_schema *parse(const char *text)
{
    struct sr_err err = {0};
    struct sr_avro_parse_options opts = {0};
    struct sr_avro_schema *s = sr_avro_parse(text, strlen(text), NULL, NULL, 0, &opts, &err);
    if (!s) {
        fprintf(stderr, "compat_bench: schema does not parse: %s\n%s\n", sr_err_message(&err),
                text);
        exit(1);
    }
    return s;
}

/* FULL for one stored version: forward (old reads new), then backward (new reads old). */
static void check_full(const struct sr_avro_schema *new_schema, const struct sr_avro_schema *old,
                       int version)
{
    struct sr_avro_compat c;
    for (int dir = 0; dir < 2; dir++) {
        if (dir == 0)
            sr_avro_compat_check(old, new_schema, &c);
        else
            sr_avro_compat_check(new_schema, old, &c);
        if (c.len || c.exception) {
            fprintf(stderr, "compat_bench: version %d is not %s compatible (%s at %s)\n", version,
                    dir ? "backward" : "forward",
                    c.exception ? c.exception : sr_avro_incompat_name(c.items[0].type),
                    c.exception ? "-" : c.items[0].location);
            exit(1);
        }
        sr_avro_compat_fini(&c);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct series {
    const char *label;
    double *ms;
};

static void report(const struct series *s, int runs, double per, const char *unit)
{
    qsort(s->ms, (size_t)runs, sizeof(double), cmp_double);
    double med = runs % 2 ? s->ms[runs / 2] : (s->ms[runs / 2 - 1] + s->ms[runs / 2]) / 2;
    printf("%-44s %9.2f  %8.2f..%-8.2f %9.2f %s\n", s->label, med, s->ms[0], s->ms[runs - 1],
           med * 1e3 / per, unit);
}

int main(int argc, char **argv)
{
    int n = 1000, runs = 21;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--versions") == 0 && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--versions N] [--runs R]\n", argv[0]);
            return 2;
        }
    }
    if (n < 1 || runs < 1)
        return 2;

    char **texts = sr_xcalloc((size_t)n, sizeof(*texts));
    size_t bytes = 0;
    for (int k = 1; k <= n; k++) {
        texts[k - 1] = version_text(k);
        bytes += strlen(texts[k - 1]);
    }
    char *new_text = version_text(n + 1);
    struct sr_avro_schema **olds = sr_xcalloc((size_t)n, sizeof(*olds));
    struct series parse_s = {"parse stored versions", sr_xcalloc((size_t)runs, sizeof(double))};
    struct series check_s = {"check new vs all, both directions (warm)",
                             sr_xcalloc((size_t)runs, sizeof(double))};
    struct series cold_s = {"parse + check, both directions (cold)",
                            sr_xcalloc((size_t)runs, sizeof(double))};

    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        for (int i = 0; i < n; i++)
            olds[i] = parse(texts[i]);
        double t1 = now_ms();
        struct sr_avro_schema *new_schema = parse(new_text);
        double t2 = now_ms();
        for (int i = n - 1; i >= 0; i--) /* newest first, as Confluent's checker */
            check_full(new_schema, olds[i], i + 1);
        double t3 = now_ms();
        for (int i = 0; i < n; i++)
            sr_avro_schema_decref(olds[i]);
        sr_avro_schema_decref(new_schema);

        double t4 = now_ms();
        new_schema = parse(new_text);
        for (int i = n - 1; i >= 0; i--) {
            struct sr_avro_schema *old = parse(texts[i]);
            check_full(new_schema, old, i + 1);
            sr_avro_schema_decref(old);
        }
        sr_avro_schema_decref(new_schema);
        double t5 = now_ms();
        parse_s.ms[r] = t1 - t0;
        check_s.ms[r] = t3 - t2;
        cold_s.ms[r] = t5 - t4;
    }

    printf(
        "compat_bench: FULL_TRANSITIVE check of version %d against %d stored versions\n"
        "  record of %d fields, schema text %zu bytes on average; %d runs, median (min..max)\n\n",
        n + 1, n, CORE_FIELDS + EXT_FIELDS, bytes / (size_t)n, runs);
    printf("%-44s %9s  %-18s %9s\n", "", "total ms", "range ms", "per item");
    report(&parse_s, runs, n, "us/schema");
    report(&check_s, runs, 2.0 * n, "us/check (one direction)");
    report(&cold_s, runs, n, "us/version (parse + 2 checks)");

    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(new_text);
    free(olds);
    free(parse_s.ms);
    free(check_s.ms);
    free(cold_s.ms);
    return 0;
}
