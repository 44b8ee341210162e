/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the utilities: MD5 (RFC 1321 vectors), percent-decoding, Java-style integer
 * parsing, Java String ordering, and Java's Double.toString. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/avro/avro_int.h"
#include "schemaregd/util.h"

#include "../check.h"

static void test_md5(void)
{
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < SR_ARRAY_LEN(v); i++) {
        struct sr_md5 m;
        sr_md5_init(&m);
        /* Feed in uneven pieces to exercise the block buffering. */
        size_t len = strlen(v[i].in);
        for (size_t off = 0; off < len; off += 7)
            sr_md5_update(&m, v[i].in + off, len - off < 7 ? len - off : 7);
        unsigned char out[16];
        sr_md5_final(&m, out);
        char hex[33];
        for (int k = 0; k < 16; k++)
            snprintf(hex + k * 2, 3, "%02x", out[k]);
        CHECK(strcmp(hex, v[i].hex) == 0, "md5(%s) = %s, want %s", v[i].in, hex, v[i].hex);
    }
}

static void test_percent(void)
{
    char *s = sr_percent_decode("a%2Fb%20c+d", 11);
    CHECK(s && strcmp(s, "a/b c+d") == 0, "decode: %s", s ? s : "(null)");
    free(s);
    CHECK(sr_percent_decode("a%2", 3) == NULL, "truncated escape must fail");
    CHECK(sr_percent_decode("a%zz", 4) == NULL, "bad hex must fail");
    CHECK(sr_percent_decode("a%00b", 5) == NULL, "NUL must be refused");
}

static void test_int(void)
{
    int32_t v = 0;
    CHECK(sr_parse_int32("+1", &v) && v == 1, "+1");
    CHECK(sr_parse_int32(" 007 ", &v) && v == 7, "007");
    CHECK(sr_parse_int32("-2147483648", &v) && v == INT32_MIN, "min");
    CHECK(!sr_parse_int32("2147483648", &v), "overflow");
    CHECK(!sr_parse_int32("1.5", &v), "1.5");
    CHECK(!sr_parse_int32("", &v), "empty");
    CHECK(!sr_parse_int32("-", &v), "sign only");
    CHECK(!sr_parse_int32("99999999999999999999", &v), "long overflow");
}

static void test_order(void)
{
    CHECK(sr_utf16_cmp("a", "b") < 0, "a<b");
    CHECK(sr_utf16_cmp("B", "a") < 0, "B<a (case-sensitive, code units)");
    CHECK(sr_utf16_cmp("ab", "a") > 0, "prefix");
    /* U+FF5E (one unit 0xFF5E) sorts after U+1F600 (surrogates 0xD83D...) in Java. */
    CHECK(sr_utf16_cmp("\xef\xbd\x9e", "\xf0\x9f\x98\x80") > 0, "BMP vs supplementary");
    CHECK(sr_has_control_chars("a\x01"), "control");
    CHECK(sr_has_control_chars("a\xc2\x85"), "C1 control");
    CHECK(!sr_has_control_chars("a b/é"), "no control");
    CHECK(sr_utf8_valid("é", 2) && !sr_utf8_valid("\xff", 1) && !sr_utf8_valid("\xc3", 1),
          "utf8 validity");
}

static void test_double(void)
{
    static const struct {
        double d;
        const char *want;
    } v[] = {
        {1.0, "1.0"},
        {100.0, "100.0"},
        {0.001, "0.001"},
        {1e-4, "1.0E-4"},
        {1e7, "1.0E7"},
        {9999999.0, "9999999.0"},
        {0.1, "0.1"},
        {1.5, "1.5"},
        {-0.0, "-0.0"},
        {123456789.0, "1.23456789E8"},
        {1.2345678901234568e29, "1.2345678901234568E29"},
        {4.9e-324, "4.9E-324"},
        {1.7976931348623157e308, "1.7976931348623157E308"},
        {-2.5e-3, "-0.0025"},
        {3.0e10, "3.0E10"},
        {0.30000000000000004, "0.30000000000000004"},
    };
    for (size_t i = 0; i < SR_ARRAY_LEN(v); i++) {
        char out[48];
        avro_format_double(v[i].d, out, sizeof(out));
        CHECK(strcmp(out, v[i].want) == 0, "Double.toString(%.17g) = %s, want %s", v[i].d, out,
              v[i].want);
    }
    char out[48];
    avro_format_double(NAN, out, sizeof(out));
    CHECK(strcmp(out, "NaN") == 0, "NaN");
    avro_format_double(-INFINITY, out, sizeof(out));
    CHECK(strcmp(out, "-Infinity") == 0, "-Infinity");
}

static void test_buf(void)
{
    struct sr_buf b;
    sr_buf_init(&b, 8);
    CHECK(sr_buf_adds(&b, "1234"), "fits");
    CHECK(!sr_buf_adds(&b, "56789"), "over the maximum fails");
    CHECK(b.overflow && !sr_buf_adds(&b, "x"), "stays failed");
    sr_buf_fini(&b);
}

int main(void)
{
    test_md5();
    test_percent();
    test_int();
    test_order();
    test_double();
    test_buf();
    printf("util: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
