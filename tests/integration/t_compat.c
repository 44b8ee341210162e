/* SPDX-License-Identifier: Apache-2.0 */
/* Compatibility: the seven levels on register and on the compatibility endpoints, verbose
 * messages in Confluent's format, config endpoints, normalization (spec §12 behaviours
 * 9-13). */
#include <string.h>

#include "harness.h"

#define V1 "{'type':'record','name':'r','fields':[{'name':'a','type':'int'}]}"
/* adds a field without default: backward-incompatible, forward-compatible */
#define V2_NODEF \
    "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'b','type':'int'}]}"
/* adds a field with default: compatible both ways */
#define V2_DEF                                                                                   \
    "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'b','type':'int','" \
    "default':0}]}"
/* drops the field a (no default in old): backward-compatible, forward-incompatible */
#define V2_DROP "{'type':'record','name':'r','fields':[]}"

static void set_level(const char *subject, const char *level)
{
    struct resp *r =
        subject ? PUT(t_fmt("/config/%s", subject), t_fmt("{\"compatibility\":\"%s\"}", level))
                : PUT("/config", t_fmt("{\"compatibility\":\"%s\"}", level));
    CHECK_STATUS(r, 200);
}

/* Behaviour 9: default BACKWARD; 409 with details; a default makes it compatible. */
static void default_backward(void)
{
    t_register("s", V1);
    struct resp *r = POST("/subjects/s/versions", t_schema_body(V2_NODEF, NULL));
    CHECK_ERROR(r, 409, 409,
                "Schema being registered is incompatible with an earlier schema for subject "
                "\"s\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', "
                "description:'The field 'b' at path '/fields/1' in the new schema has no default "
                "value and is missing in the old schema', additionalInfo:'b'}, {oldSchemaVersion: "
                "1}, {oldSchema: '{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                "\"type\":\"int\"}]}'}, {validateFields: 'false', compatibility: 'BACKWARD'}]");
    CHECK(t_register("s", V2_DEF) == 2, "compatible evolution registers");
    CHECK_JSON(GET("/subjects/s/versions"), "[1,2]");
}

/* The 8.x error code is an option. */
static void error_code_option(void)
{
    const char *args[] = {"--incompatible-error-code", "40901", NULL};
    t_fresh(args);
    t_register("s", V1);
    CHECK_ERROR(POST("/subjects/s/versions", t_schema_body(V2_NODEF, NULL)), 409, 40901, NULL);
}

/* Behaviour 10 and 11: the compatibility endpoints. */
static void compat_endpoints(void)
{
    t_register("s", V1);
    struct resp *r = POST("/compatibility/subjects/s/versions/latest?verbose=true",
                          t_schema_body(V2_NODEF, NULL));
    CHECK_BODY(r, "{\"is_compatible\":false,\"messages\":[\"{errorType:'READER_FIELD_MISSING_"
                  "DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new "
                  "schema has no default value and is missing in the old schema', "
                  "additionalInfo:'b'}\",\"{oldSchemaVersion: 1}\",\"{oldSchema: "
                  "'{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"r\\\",\\\"fields\\\":[{"
                  "\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}'}\",\"{validateFields: "
                  "'false', compatibility: 'BACKWARD'}\"]}");
    CHECK_BODY(POST("/compatibility/subjects/s/versions/latest", t_schema_body(V2_NODEF, NULL)),
               "{\"is_compatible\":false}");
    CHECK_BODY(
        POST("/compatibility/subjects/s/versions/latest?verbose=true", t_schema_body(V2_DEF, NULL)),
        "{\"is_compatible\":true,\"messages\":[]}");
    CHECK_BODY(POST("/compatibility/subjects/s/versions/1", t_schema_body(V2_DEF, NULL)),
               "{\"is_compatible\":true}");
    CHECK_BODY(POST("/compatibility/subjects/s/versions", t_schema_body(V2_DEF, NULL)),
               "{\"is_compatible\":true}");
    CHECK_BODY(POST("/compatibility/subjects/s/versions/", t_schema_body(V2_NODEF, NULL)),
               "{\"is_compatible\":false}");
    /* Missing subject: latest is compatible, a number is 40402. */
    CHECK_BODY(POST("/compatibility/subjects/none/versions/latest", t_schema_body(V1, NULL)),
               "{\"is_compatible\":true}");
    CHECK_BODY(POST("/compatibility/subjects/none/versions", t_schema_body(V1, NULL)),
               "{\"is_compatible\":true}");
    CHECK_ERROR(POST("/compatibility/subjects/none/versions/3", t_schema_body(V1, NULL)), 404,
                40402, "Version 3 not found.");
    CHECK_ERROR(POST("/compatibility/subjects/s/versions/2", t_schema_body(V1, NULL)), 404, 40402,
                "Version 2 not found.");
    CHECK_ERROR(POST("/compatibility/subjects/s/versions/0", t_schema_body(V1, NULL)), 422, 42202,
                NULL);
    /* Invalid schema: 42201, or 200 with the reason when verbose. */
    CHECK_ERROR(
        POST("/compatibility/subjects/s/versions/latest", t_schema_body("{'type':'x'}", NULL)), 422,
        42201, NULL);
    r = POST("/compatibility/subjects/s/versions/latest?verbose=true",
             t_schema_body("{'type':'x'}", NULL));
    CHECK(r->status == 200 && json_is_false(json_object_get(r->json, "is_compatible")) &&
              json_array_size(json_object_get(r->json, "messages")) == 1 &&
              strstr(r->body, "Type not supported: x"),
          "verbose invalid: %s", r->body);
    CHECK_ERROR(POST("/compatibility/subjects/s/versions/latest", "{\"schema\":\"\"}"), 422, 42201,
                "Empty schema");
    /* The compatibility endpoint never writes. */
    CHECK_JSON(GET("/subjects/s/versions"), "[1]");
}

/* Behaviour 12: directions, transitivity, soft-deleted versions ignored; all seven levels. */
static void levels(void)
{
    struct {
        const char *level;
        const char *candidate;
        bool ok;
    } cases[] = {
        {"NONE", V2_NODEF, true},
        {"NONE", V2_DROP, true},
        {"BACKWARD", V2_NODEF, false},
        {"BACKWARD", V2_DROP, true},
        {"BACKWARD", V2_DEF, true},
        {"FORWARD", V2_NODEF, true},
        {"FORWARD", V2_DROP, false},
        {"FORWARD", V2_DEF, true},
        {"FULL", V2_NODEF, false},
        {"FULL", V2_DROP, false},
        {"FULL", V2_DEF, true},
        {"BACKWARD_TRANSITIVE", V2_NODEF, false},
        {"FORWARD_TRANSITIVE", V2_DROP, false},
        {"FULL_TRANSITIVE", V2_DEF, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *subject = t_fmt("lv%zu", i);
        t_register(subject, V1);
        set_level(subject, cases[i].level);
        struct resp *r = POST(t_fmt("/compatibility/subjects/%s/versions/latest", subject),
                              t_schema_body(cases[i].candidate, NULL));
        CHECK(r->status == 200 &&
                  json_is_true(json_object_get(r->json, "is_compatible")) == cases[i].ok,
              "%s case %zu: %s", cases[i].level, i, r->body);
        r = POST(t_fmt("/subjects/%s/versions", subject), t_schema_body(cases[i].candidate, NULL));
        CHECK(r->status == (cases[i].ok ? 200 : 409), "register %s case %zu: %s", cases[i].level, i,
              r->body);
    }
}

/* FULL: forward messages first without old-schema lines, then backward ones with them. */
static void full_messages(void)
{
    t_register("s", V1);
    set_level("s", "FULL");
    const char *cand = "{'type':'record','name':'r','fields':[{'name':'b','type':'int'}]}";
    struct resp *r =
        POST("/compatibility/subjects/s/versions/latest?verbose=true", t_schema_body(cand, NULL));
    json_t *m = json_object_get(r->json, "messages");
    CHECK(json_array_size(m) == 5, "five messages: %s", r->body);
    const char *want[] = {
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'a' at path "
        "'/fields/0' in the old schema has no default value and is missing in the new schema', "
        "additionalInfo:'a'}",
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path "
        "'/fields/0' in the new schema has no default value and is missing in the old schema', "
        "additionalInfo:'b'}",
        "{oldSchemaVersion: 1}",
        NULL,
        "{validateFields: 'false', compatibility: 'FULL'}",
    };
    for (size_t i = 0; i < 5; i++)
        if (want[i])
            CHECK(json_string_value(json_array_get(m, i)) &&
                      !strcmp(json_string_value(json_array_get(m, i)), want[i]),
                  "message %zu: %s", i, json_string_value(json_array_get(m, i)));
}

/* Transitive levels check older versions, stop at the first failing one (newest first);
 * soft-deleted versions are ignored. */
static void transitive(void)
{
    t_register("s", V1);
    set_level("s", "NONE");
    const char *v2 = "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'c','"
                     "type':'string'}]}";
    t_register("s", v2);
    const char *v3 = "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'c','"
                     "type':'string','default':''}]}";
    t_register("s", v3);
    /* Drops c (default-less in v2): compatible with latest v3 under BACKWARD... */
    const char *cand = "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'d'"
                       ",'type':'int','default':1}]}";
    set_level("s", "FORWARD");
    CHECK_BODY(POST("/compatibility/subjects/s/versions", t_schema_body(cand, NULL)),
               "{\"is_compatible\":true}");
    set_level("s", "FORWARD_TRANSITIVE");
    struct resp *r =
        POST("/compatibility/subjects/s/versions?verbose=true", t_schema_body(cand, NULL));
    CHECK(json_is_false(json_object_get(r->json, "is_compatible")) &&
              strstr(r->body, "{oldSchemaVersion: 2}") && !strstr(r->body, "{oldSchemaVersion: 1}"),
          "fails against v2 only: %s", r->body);
    /* The explicit-version endpoint uses only that version, even for transitive levels. */
    CHECK_BODY(POST("/compatibility/subjects/s/versions/3", t_schema_body(cand, NULL)),
               "{\"is_compatible\":true}");
    /* Soft-deleting v2 removes it from the candidates. */
    CHECK_JSON(DEL("/subjects/s/versions/2"), "2");
    CHECK_BODY(POST("/compatibility/subjects/s/versions", t_schema_body(cand, NULL)),
               "{\"is_compatible\":true}");
    CHECK_STATUS(POST("/subjects/s/versions", t_schema_body(cand, NULL)), 200);
}

/* Behaviour 18: after every version is soft-deleted nothing is checked. */
static void all_deleted_unchecked(void)
{
    t_register("s", V1);
    CHECK_JSON(DEL("/subjects/s"), "[1]");
    CHECK(t_register("s", "'string'") == 2, "anything registers after a full soft delete");
}

/* Behaviour 13: config endpoints. */
static void config(void)
{
    CHECK_BODY(GET("/config"), "{\"compatibilityLevel\":\"BACKWARD\"}");
    CHECK_BODY(PUT("/config/s", "{\"compatibility\":\"full\"}"), "{\"compatibility\":\"full\"}");
    CHECK_BODY(GET("/config/s"), "{\"compatibilityLevel\":\"FULL\"}");
    CHECK_ERROR(GET("/config/other"), 404, 40408,
                "Subject 'other' does not have subject-level compatibility configured");
    CHECK_BODY(GET("/config/other?defaultToGlobal=true"), "{\"compatibilityLevel\":\"BACKWARD\"}");
    CHECK_ERROR(PUT("/config/s", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203,
                "Invalid compatibility level. Valid values are none, backward, forward, full, "
                "backward_transitive, forward_transitive, and full_transitive");
    CHECK_ERROR(PUT("/config", "{\"compatibility\":5}"), 422, 42203, NULL);
    CHECK_BODY(DEL("/config/s"), "{\"compatibilityLevel\":\"FULL\"}");
    CHECK_ERROR(DEL("/config/s"), 404, 40401, "Subject 's' not found.");
    CHECK_BODY(PUT("/config", "{\"compatibility\":\"Forward_Transitive\"}"),
               "{\"compatibility\":\"Forward_Transitive\"}");
    CHECK_BODY(GET("/config"), "{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}");
    CHECK_BODY(GET("/config/x?defaultToGlobal=true"),
               "{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}");
    CHECK_BODY(DEL("/config"), "{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}");
    CHECK_BODY(GET("/config"), "{\"compatibilityLevel\":\"BACKWARD\"}");
    /* Partial updates merge; unknown keys are dropped from the echo. */
    CHECK_BODY(PUT("/config/n", "{\"normalize\":true,\"bogus\":1}"), "{\"normalize\":true}");
    CHECK_BODY(GET("/config/n"), "{\"normalize\":true,\"compatibilityLevel\":\"BACKWARD\"}");
    CHECK_BODY(PUT("/config/n", "{\"compatibility\":\"NONE\"}"), "{\"compatibility\":\"NONE\"}");
    CHECK_BODY(GET("/config/n"), "{\"normalize\":true,\"compatibilityLevel\":\"NONE\"}");
    CHECK_ERROR(PUT("/config/a%01b", "{\"compatibility\":\"NONE\"}"), 422, 42208, NULL);
    CHECK_ERROR(PUT("/config", ""), 422, 422, NULL);
    /* The subject-level level wins over the global one on register. */
    set_level(NULL, "NONE");
    t_register("g", V1);
    CHECK_STATUS(POST("/subjects/g/versions", t_schema_body(V2_NODEF, NULL)), 200);
    set_level("g", "BACKWARD");
    CHECK_STATUS(POST("/subjects/g/versions",
                      t_schema_body("{'type':'record','name':'r','fields':[{'name':'a','type':'int'"
                                    "},{'name':'b','type':'int'},{'name':'z','type':'int'}]}",
                                    NULL)),
                 409);
    /* A server default other than BACKWARD. */
    const char *args[] = {"--default-compatibility", "none", NULL};
    t_fresh(args);
    CHECK_BODY(GET("/config"), "{\"compatibilityLevel\":\"NONE\"}");
}

/* Normalization on register, lookup and compatibility, by parameter or config. */
static void normalize(void)
{
    const char *a = "{'type':'record','name':'r','fields':[{'name':'a','type':'int'}],'y':1,'x':2}";
    const char *b = "{'type':'record','name':'r','fields':[{'name':'a','type':'int'}],'x':2,'y':1}";
    struct resp *r = POST("/subjects/s/versions?normalize=true", t_schema_body(a, NULL));
    CHECK(t_int(r, "id") == 1, "%s", r->body);
    r = POST("/subjects/s/versions?normalize=true", t_schema_body(b, NULL));
    CHECK(t_int(r, "id") == 1, "normalized forms are one schema: %s", r->body);
    CHECK_BODY(GET("/subjects/s/versions/1/schema"),
               "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}],"
               "\"x\":2,\"y\":1}");
    r = POST("/subjects/s?normalize=true", t_schema_body(a, NULL));
    CHECK(r->status == 200 && t_int(r, "version") == 1, "lookup normalized: %s", r->body);
    /* Without normalization the prop order matters for identity, but the stored version is
     * still found as semantically equivalent. */
    r = POST("/subjects/s", t_schema_body(a, NULL));
    CHECK(r->status == 200 && t_int(r, "version") == 1, "lookup by equivalence: %s", r->body);
    /* normalize in the config applies without the parameter. */
    CHECK_STATUS(PUT("/config/t", "{\"normalize\":true}"), 200);
    r = POST("/subjects/t/versions", t_schema_body(a, NULL));
    CHECK(t_int(r, "id") == 1, "config normalize: %s", r->body);
    CHECK_BODY(POST("/compatibility/subjects/t/versions/latest", t_schema_body(b, NULL)),
               "{\"is_compatible\":true}");
}

const struct test compat_tests[] = {
    {"default_backward", default_backward},
    {"error_code_option", error_code_option},
    {"compat_endpoints", compat_endpoints},
    {"levels", levels},
    {"full_messages", full_messages},
    {"transitive", transitive},
    {"all_deleted_unchecked", all_deleted_unchecked},
    {"config", config},
    {"normalize", normalize},
    {NULL, NULL},
};
