/* SPDX-License-Identifier: Apache-2.0 */
/* The registry lifecycle: soft and permanent deletes, version numbering and tombstones,
 * modes (READONLY, IMPORT as a migration path), listings (spec §12 behaviours 14-21). */
#include <string.h>

#include "harness.h"

#define A "{'type':'record','name':'r','fields':[{'name':'a','type':'int'}]}"
#define B                                                                                        \
    "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'b','type':'int','" \
    "default':0}]}"
#define C                                                                                        \
    "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'c','type':'int','" \
    "default':0}]}"

/* Behaviour 14: soft delete of a version. */
static void soft_delete_version(void)
{
    t_register("s", A);
    t_register("s", B);
    CHECK_BODY(DEL("/subjects/s/versions/2"), "2");
    CHECK_JSON(GET("/subjects/s/versions"), "[1]");
    CHECK_JSON(GET("/subjects/s/versions?deleted=true"), "[1,2]");
    CHECK_JSON(GET("/subjects/s/versions?deletedOnly=true"), "[2]");
    CHECK(t_int(GET("/subjects/s/versions/latest"), "version") == 1, "latest skips deleted");
    CHECK_ERROR(GET("/subjects/s/versions/2"), 404, 40402, "Version 2 not found.");
    CHECK(t_int(GET("/subjects/s/versions/2?deleted=true"), "version") == 2, "deleted=true");
    CHECK_ERROR(POST("/subjects/s", t_schema_body(B, NULL)), 404, 40403, "Schema not found");
    CHECK(t_int(POST("/subjects/s?deleted=true", t_schema_body(B, NULL)), "version") == 2,
          "lookup with deleted=true");
    CHECK_STATUS(GET("/schemas/ids/2"), 200);
    CHECK_JSON(GET("/schemas/ids/2/versions"), "[]");
    CHECK_JSON(GET("/schemas/ids/2/versions?deleted=true"), "[{'subject':'s','version':2}]");
    CHECK_ERROR(DEL("/subjects/s/versions/2"), 404, 40406,
                "Subject 's' Version 2 was soft deleted.Set permanent=true to delete permanently");
    CHECK_ERROR(DEL("/subjects/s/versions/3"), 404, 40402, "Version 3 not found.");
    CHECK_ERROR(DEL("/subjects/x/versions/1"), 404, 40401, "Subject 'x' not found.");
    CHECK_ERROR(DEL("/subjects/s/versions/abc"), 422, 42202, NULL);
    CHECK_BODY(DEL("/subjects/s/versions/latest"), "1");
    CHECK_ERROR(GET("/subjects/s/versions"), 404, 40401, NULL);
    CHECK_ERROR(DEL("/subjects/s/versions/latest"), 404, 40402, "Version -1 not found.");
}

/* Behaviour 15: permanent deletes need a soft delete first. */
static void permanent_delete(void)
{
    t_register("s", A);
    t_register("s", B);
    CHECK_ERROR(DEL("/subjects/s/versions/2?permanent=true"), 404, 40407,
                "Subject 's' Version 2 was not deleted first before being permanently deleted");
    CHECK_ERROR(DEL("/subjects/s/versions/latest?permanent=true"), 404, 40407, NULL);
    CHECK_ERROR(DEL("/subjects/s?permanent=true"), 404, 40405,
                "Subject 's' was not deleted first before being permanently deleted");
    CHECK_BODY(DEL("/subjects/s/versions/2"), "2");
    CHECK_BODY(DEL("/subjects/s/versions/2?permanent=true"), "2");
    CHECK_ERROR(GET("/subjects/s/versions/2?deleted=true"), 404, 40402, NULL);
    CHECK_ERROR(GET("/schemas/ids/2"), 404, 40403, "Schema 2 not found");
    CHECK_JSON(DEL("/subjects/s"), "[1]");
    CHECK_JSON(DEL("/subjects/s?permanent=true"), "[1]");
    CHECK_ERROR(GET("/subjects/s/versions?deleted=true"), 404, 40401, NULL);
    CHECK_ERROR(DEL("/subjects/s"), 404, 40401, "Subject 's' not found.");
    CHECK_JSON(GET("/subjects?deleted=true"), "[]");
    /* After all carriers are gone the same content gets a new id; numbering restarts. */
    struct resp *r = POST("/subjects/s/versions", t_schema_body(A, NULL));
    CHECK(t_int(r, "id") == 3, "new id after hard delete: %s", r->body);
    CHECK_JSON(GET("/subjects/s/versions"), "[1]");
}

/* Behaviour 16: subject soft delete. */
static void soft_delete_subject(void)
{
    t_register("s", A);
    t_register("s", B);
    t_register("t", A);
    CHECK_JSON(DEL("/subjects/s"), "[1,2]");
    CHECK_ERROR(DEL("/subjects/s"), 404, 40404,
                "Subject 's' was soft deleted.Set permanent=true to delete permanently");
    CHECK_JSON(GET("/subjects"), "['t']");
    CHECK_JSON(GET("/subjects?deleted=true"), "['s','t']");
    CHECK_JSON(GET("/subjects?deletedOnly=true"), "['s']");
    CHECK_ERROR(GET("/subjects/s/versions"), 404, 40401, "Subject 's' not found.");
    CHECK_JSON(GET("/subjects/s/versions?deleted=true"), "[1,2]");
    CHECK_STATUS(GET("/schemas/ids/2"), 200);
    /* 7.x: the subject's config and mode go with it. */
    t_register("u", A);
    CHECK_STATUS(PUT("/config/u", "{\"compatibility\":\"NONE\"}"), 200);
    CHECK_STATUS(PUT("/mode/u", "{\"mode\":\"READONLY\"}"), 200);
    CHECK_STATUS(PUT("/mode/u", "{\"mode\":\"READWRITE\"}"), 200);
    CHECK_JSON(DEL("/subjects/u"), "[1]");
    CHECK_ERROR(GET("/config/u"), 404, 40408, NULL);
    CHECK_ERROR(GET("/mode/u"), 404, 40409, NULL);
}

/* Behaviour 17: version numbering after deletes; tombstones. */
static void numbering(void)
{
    t_register("s", A);
    t_register("s", B);
    CHECK_JSON(DEL("/subjects/s"), "[1,2]");
    CHECK(t_register("s", A) == 1, "A keeps id 1");
    CHECK(t_register("s", B) == 2, "B keeps id 2");
    CHECK_JSON(GET("/subjects/s/versions"), "[3,4]");
    CHECK_JSON(GET("/subjects/s/versions?deleted=true"), "[3,4]");
    /* Soft-deleting v4 and re-registering B: a new version (numbers not reused while the
     * soft-deleted one occupies them); the old v4 is tombstoned. */
    CHECK_BODY(DEL("/subjects/s/versions/4"), "4");
    CHECK(t_register("s", B) == 2, "B again");
    CHECK_JSON(GET("/subjects/s/versions?deleted=true"), "[3,5]");
    /* A permanent delete of the top version frees its number. */
    CHECK_BODY(DEL("/subjects/s/versions/5"), "5");
    CHECK_BODY(DEL("/subjects/s/versions/5?permanent=true"), "5");
    CHECK(t_register("s", C) == 3, "C gets id 3");
    CHECK_JSON(GET("/subjects/s/versions"), "[3,4]");
}

/* Behaviour 19: READONLY. */
static void readonly(void)
{
    t_register("s", A);
    CHECK_BODY(PUT("/mode", "{\"mode\":\"READONLY\"}"), "{\"mode\":\"READONLY\"}");
    CHECK_BODY(GET("/mode"), "{\"mode\":\"READONLY\"}");
    CHECK_ERROR(GET("/mode/s"), 404, 40409,
                "Subject 's' does not have subject-level mode configured");
    CHECK_BODY(GET("/mode/s?defaultToGlobal=true"), "{\"mode\":\"READONLY\"}");
    CHECK_ERROR(POST("/subjects/s/versions", t_schema_body(B, NULL)), 422, 42205,
                "Subject s is in read-only mode");
    CHECK(t_register("s", A) == 1, "re-registering an existing schema still works");
    CHECK_ERROR(DEL("/subjects/s/versions/1"), 422, 42205, "Subject s is in read-only mode");
    CHECK_ERROR(DEL("/subjects/s"), 422, 42205, NULL);
    CHECK_ERROR(PUT("/config/s", "{\"compatibility\":\"NONE\"}"), 422, 42205, NULL);
    CHECK_ERROR(PUT("/config", "{\"compatibility\":\"NONE\"}"), 422, 42205,
                "Subject null is in read-only mode");
    CHECK_STATUS(GET("/subjects/s/versions/1"), 200);
    CHECK_STATUS(POST("/subjects/s", t_schema_body(A, NULL)), 200);
    CHECK_STATUS(POST("/compatibility/subjects/s/versions/latest", t_schema_body(B, NULL)), 200);
    /* A subject-level mode overrides the global one, READONLY_OVERRIDE overrides both. */
    CHECK_BODY(PUT("/mode/s", "{\"mode\":\"readwrite\"}"), "{\"mode\":\"readwrite\"}");
    CHECK_BODY(GET("/mode/s"), "{\"mode\":\"READWRITE\"}");
    CHECK(t_register("s", B) == 2, "subject READWRITE wins over global READONLY");
    CHECK_STATUS(PUT("/mode", "{\"mode\":\"READONLY_OVERRIDE\"}"), 200);
    CHECK_ERROR(POST("/subjects/s/versions", t_schema_body(C, NULL)), 422, 42205, NULL);
    CHECK_BODY(GET("/mode/s?defaultToGlobal=true"), "{\"mode\":\"READONLY_OVERRIDE\"}");
    CHECK_ERROR(PUT("/mode", "{\"mode\":\"SIDEWAYS\"}"), 422, 42204,
                "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
    CHECK_BODY(DEL("/mode/s"), "{\"mode\":\"READWRITE\"}");
    CHECK_ERROR(DEL("/mode/s"), 404, 40401, "Subject 's' not found.");
    CHECK_STATUS(PUT("/mode", "{\"mode\":\"READWRITE\"}"), 200);
    CHECK(t_register("s", C) == 3, "writable again");
    CHECK_ERROR(PUT("/mode/a%01b", "{\"mode\":\"READONLY\"}"), 422, 42208, NULL);
    const char *args[] = {"--mode-mutability", "false", NULL};
    t_fresh(args);
    CHECK_ERROR(PUT("/mode", "{\"mode\":\"READONLY\"}"), 422, 42205,
                "Mode changes are not allowed");
}

/* Behaviour 20 and 21: IMPORT mode as the migration path from another registry. */
static void import_mode(void)
{
    t_register("existing", A);
    CHECK_ERROR(PUT("/mode", "{\"mode\":\"IMPORT\"}"), 422, 42205,
                "Cannot import since found existing subjects");
    CHECK_JSON(DEL("/subjects/existing"), "[1]");
    CHECK_BODY(PUT("/mode", "{\"mode\":\"IMPORT\"}"), "{\"mode\":\"IMPORT\"}");
    /* Soft-deleted leftovers were purged by the switch. */
    CHECK_JSON(GET("/subjects?deleted=true"), "[]");
    /* Import a few subjects with their original ids (100+) and versions, gaps allowed,
     * incompatible evolutions accepted. */
    struct resp *r =
        POST("/subjects/orders-value/versions", t_schema_body(A, ",\"id\":100,\"version\":5"));
    CHECK_BODY(r, "{\"id\":100}");
    r = POST("/subjects/orders-value/versions",
             t_schema_body("{'type':'record','name':'r','fields':[{'name':'x','type':'string'}]}",
                           ",\"id\":107,\"version\":9"));
    CHECK_BODY(r, "{\"id\":107}");
    r = POST("/subjects/users-value/versions", t_schema_body(B, ",\"id\":103,\"version\":1"));
    CHECK_BODY(r, "{\"id\":103}");
    CHECK_JSON(GET("/subjects/orders-value/versions"), "[5,9]");
    CHECK(t_int(GET("/subjects/orders-value/versions/5"), "id") == 100, "imported id kept");
    /* Same id + content at another version is fine; an id for different content is not. */
    CHECK_BODY(
        POST("/subjects/orders-value/versions", t_schema_body(A, ",\"id\":100,\"version\":6")),
        "{\"id\":100}");
    CHECK_ERROR(POST("/subjects/other/versions", t_schema_body(C, ",\"id\":100,\"version\":1")),
                422, 42205, "Overwrite new schema with id 100 is not permitted.");
    CHECK_ERROR(POST("/subjects/other/versions", t_schema_body(C, NULL)), 422, 42205,
                "Subject other is not in read-write mode");
    /* Back to READWRITE: new ids continue above the highest imported one. */
    CHECK_STATUS(PUT("/mode", "{\"mode\":\"READWRITE\"}"), 200);
    CHECK_ERROR(POST("/subjects/x/versions", t_schema_body(C, ",\"id\":200")), 422, 42205,
                "Subject x is not in import mode");
    r = POST("/subjects/fresh/versions", t_schema_body(C, NULL));
    CHECK(t_int(r, "id") == 108, "new ids above imported ones: %s", r->body);
    CHECK(t_register("users-value",
                     "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'b','"
                     "type':'int','default':0},{'name':'c','type':'int','default':0}]}") == 109,
          "next id");
    CHECK_JSON(GET("/subjects/users-value/versions"), "[1,2]");
    /* Explicit version outside IMPORT must be the next one. */
    CHECK_ERROR(POST("/subjects/fresh/versions",
                     t_schema_body("{'type':'record','name':'r','doc':'d','fields':[{'name':'a','"
                                   "type':'int'},{'name':'c','type':'int','default':0}]}",
                                   ",\"version\":7")),
                422, 42201, "Version is not one more than previous version");
    /* Subject-level IMPORT with force, on a subject that has versions. */
    CHECK_ERROR(PUT("/mode/fresh", "{\"mode\":\"IMPORT\"}"), 422, 42205, NULL);
    CHECK_STATUS(PUT("/mode/fresh?force=true", "{\"mode\":\"IMPORT\"}"), 200);
    CHECK_BODY(
        POST("/subjects/fresh/versions", t_schema_body("'string'", ",\"id\":300,\"version\":2")),
        "{\"id\":300}");
}

/* GET /schemas and the id listings. */
static void listings(void)
{
    t_register("a", A);
    t_register("a", B);
    t_register("b", A);
    t_register("c", "'string'");
    CHECK_BODY(DEL("/subjects/a/versions/2"), "2");
    struct resp *r = GET("/schemas");
    CHECK(json_array_size(r->json) == 3, "three visible versions: %s", r->body);
    r = GET("/schemas?deleted=true");
    CHECK(json_array_size(r->json) == 4, "four with deleted: %s", r->body);
    r = GET("/schemas?subjectPrefix=a&deleted=true&latestOnly=true");
    CHECK(json_array_size(r->json) == 1 &&
              json_integer_value(json_object_get(json_array_get(r->json, 0), "version")) == 2,
          "latestOnly: %s", r->body);
    r = GET("/schemas?offset=1&limit=1");
    CHECK(
        json_array_size(r->json) == 1 &&
            !strcmp(json_string_value(json_object_get(json_array_get(r->json, 0), "subject")), "b"),
        "paging: %s", r->body);
    CHECK_JSON(GET("/schemas/ids/1/subjects"), "['a','b']");
    CHECK_JSON(GET("/schemas/ids/2/subjects"), "[]");
    CHECK_JSON(GET("/schemas/ids/2/subjects?deleted=true"), "['a']");
    CHECK_JSON(GET("/subjects/a/versions?offset=0&limit=1&deleted=true"), "[1]");
}

static const char *prop(const json_t *obj, const char *key)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(obj, "metadata"), "properties"), key));
}

/* metadata and ruleSet: stored and returned opaquely, part of the identity, inherited by the
 * next version, confluent:version stamped for explicit versions (Confluent 7.5+). */
static void metadata(void)
{
    struct resp *r =
        POST("/subjects/s/versions",
             t_schema_body(A, ",\"metadata\":{\"properties\":{\"owner\":\"team-a\"}}"));
    CHECK(t_int(r, "id") == 1 && t_int(r, "version") == 1 && prop(r->json, "owner") &&
              !strcmp(prop(r->json, "owner"), "team-a") && t_str(r, "schema"),
          "full register answer: %s", r->body);
    r = GET("/subjects/s/versions/1");
    CHECK(prop(r->json, "owner") && !strcmp(prop(r->json, "owner"), "team-a"), "stored: %s",
          r->body);
    CHECK(prop(GET("/schemas/ids/1")->json, "owner") != NULL, "by id");
    /* The next version inherits the metadata. */
    r = POST("/subjects/s/versions", t_schema_body(B, NULL));
    CHECK(t_int(r, "id") == 2 && t_int(r, "version") == 2 && prop(r->json, "owner"),
          "inherited: %s", r->body);
    /* Metadata is part of identity: other metadata, other id; none, another. */
    r = POST("/subjects/t/versions",
             t_schema_body(A, ",\"metadata\":{\"properties\":{\"owner\":\"team-b\"}}"));
    CHECK(t_int(r, "id") == 3, "other metadata: %s", r->body);
    CHECK(t_register("u", A) == 4, "no metadata");
    CHECK_BODY(POST("/subjects/u/versions", t_schema_body(A, NULL)), "{\"id\":4}");
    /* A lookup without metadata finds the version that inherited it. */
    r = POST("/subjects/s", t_schema_body(B, NULL));
    CHECK(r->status == 200 && t_int(r, "version") == 2, "lookup: %s", r->body);
    /* An explicit version stamps confluent:version. */
    r = POST("/subjects/x/versions", t_schema_body("'string'", ",\"version\":1"));
    CHECK(t_int(r, "version") == 1 && prop(r->json, "confluent:version") &&
              !strcmp(prop(r->json, "confluent:version"), "1"),
          "stamped: %s", r->body);
    /* Rule sets are stored and returned as given. */
    r = POST("/subjects/rules/versions",
             t_schema_body(C, ",\"ruleSet\":{\"domainRules\":[{\"name\":\"r1\",\"kind\":"
                              "\"CONDITION\",\"type\":\"CEL\",\"expr\":\"true\"}]}"));
    CHECK_STATUS(r, 200);
    r = GET("/subjects/rules/versions/1");
    CHECK(json_array_size(json_object_get(json_object_get(r->json, "ruleSet"), "domainRules")) == 1,
          "ruleSet: %s", r->body);
    CHECK_ERROR(POST("/subjects/bad/versions",
                     t_schema_body(A, ",\"metadata\":{\"properties\":{\"k\":1}}")),
                400, 400, NULL);
    /* GET /subjects/{s}/metadata: latest version whose properties contain the pairs. */
    r = GET("/subjects/s/metadata?deleted=false&&key=owner&value=team-a");
    CHECK(r->status == 200 && t_int(r, "version") == 2, "by metadata: %s", r->body);
    CHECK_ERROR(GET("/subjects/s/metadata?key=owner&value=team-z"), 404, 40403, NULL);
    CHECK_ERROR(GET("/subjects/none/metadata?key=owner&value=team-a"), 404, 40401, NULL);
}

/* The default context named explicitly, and 8.x metadata endpoints. */
static void contexts(void)
{
    t_register("s", A);
    CHECK_JSON(GET("/contexts/./subjects"), "['s']");
    CHECK_JSON(GET("/contexts/:.:/subjects/s/versions"), "[1]");
    CHECK_JSON(GET("/v1/metadata/deployment"), "{'attributes':[]}");
    CHECK_ERROR(GET("/contexts/.other/subjects"), 404, 404, NULL);
}

/* A registration acknowledged to the client survives kill -9 of the daemon right after the
 * reply; the data survives restarts. */
static void durability(void)
{
    int ids[20];
    for (int i = 0; i < 20; i++)
        ids[i] = t_register(t_fmt("d%d", i % 4), t_fmt("{'type':'string','n':%d}", i));
    CHECK_BODY(DEL("/subjects/d0/versions/1"), "1");
    t_kill9();
    t_restart();
    for (int i = 0; i < 20; i++)
        CHECK(ids[i] > 0 && GET(t_fmt("/schemas/ids/%d", ids[i]))->status == 200,
              "id %d after kill -9", ids[i]);
    CHECK_JSON(GET("/subjects/d1/versions"), "[1,2,3,4,5]");
    CHECK_JSON(GET("/subjects/d0/versions"), "[2,3,4,5]");
    CHECK_JSON(GET("/subjects/d0/versions?deleted=true"), "[1,2,3,4,5]");
    CHECK(t_register("d9", "'int'") == 21, "ids continue after the restart");
    t_restart();
    CHECK_JSON(GET("/subjects"), "['d0','d1','d2','d3','d9']");
}

/* The embedded store belongs to one process: a second daemon on the file refuses to start. */
static void single_writer_file(void)
{
    if (strcmp(t_store, "sqlite") != 0)
        return;
    t_register("s", "'string'");
    char log[4096];
    int status = t_second_daemon(5000, log, sizeof(log));
    CHECK(status > 0, "second daemon must exit with an error (status %d)", status);
    CHECK(strstr(log, "is in use by another schemaregd process") != NULL, "clear message: %s", log);
    CHECK(t_register("t", "'int'") == 2, "the first daemon is unaffected");
}

/* The remaining error codes of the config and mode endpoints. */
static void admin_error_codes(void)
{
    t_register("s", A);
    CHECK_STATUS(PUT("/config/s", "{\"compatibility\":\"NONE\"}"), 200);
    CHECK_STATUS(PUT("/config", "{\"compatibility\":\"FULL\"}"), 200);
    CHECK_STATUS(PUT("/mode/t", "{\"mode\":\"READWRITE\"}"), 200);
    CHECK_STATUS(PUT("/mode", "{\"mode\":\"READONLY\"}"), 200);
    CHECK_ERROR(DEL("/config"), 422, 42205, "Subject null is in read-only mode");
    CHECK_ERROR(DEL("/config/s"), 422, 42205, "Subject s is in read-only mode");
    CHECK_ERROR(PUT("/mode/s", "{\"mode\":\"SIDEWAYS\"}"), 422, 42204, NULL);
    /* {"mode": null} (or no mode) removes the mode. */
    CHECK_BODY(PUT("/mode", "{}"), "{}");
    CHECK_BODY(GET("/mode"), "{\"mode\":\"READWRITE\"}");
    /* DELETE /mode returns the previous global mode and resets it. */
    CHECK_STATUS(PUT("/mode", "{\"mode\":\"READONLY\"}"), 200);
    CHECK_BODY(DEL("/mode"), "{\"mode\":\"READONLY\"}");
    CHECK_BODY(GET("/mode"), "{\"mode\":\"READWRITE\"}");
    CHECK_BODY(DEL("/config"), "{\"compatibilityLevel\":\"FULL\"}");
    /* .../versions/{v}/schema errors. */
    CHECK_ERROR(GET("/subjects/none/versions/1/schema"), 404, 40401, NULL);
    CHECK_ERROR(GET("/subjects/s/versions/9/schema"), 404, 40402, "Version 9 not found.");
    CHECK_ERROR(GET("/subjects/s/versions/x/schema"), 422, 42202, NULL);
    /* With mode changes disabled, deleting or setting a subject's mode is refused too. */
    const char *args[] = {"--mode-mutability", "false", NULL};
    t_restart_args(args);
    CHECK_ERROR(DEL("/mode/t"), 422, 42205, "Mode changes are not allowed");
    CHECK_ERROR(PUT("/mode/t", "{\"mode\":\"READONLY\"}"), 422, 42205,
                "Mode changes are not allowed");
}

const struct test lifecycle_tests[] = {
    {"admin_error_codes", admin_error_codes},
    {"contexts", contexts},
    {"durability", durability},
    {"single_writer_file", single_writer_file},
    {"metadata", metadata},
    {"soft_delete_version", soft_delete_version},
    {"permanent_delete", permanent_delete},
    {"soft_delete_subject", soft_delete_subject},
    {"numbering", numbering},
    {"readonly", readonly},
    {"import_mode", import_mode},
    {"listings", listings},
    {NULL, NULL},
};
