/* SPDX-License-Identifier: Apache-2.0 */
/* Core API: registration, identity, lookup, reads by version and id, media types, paths,
 * framework errors, health (spec §12 behaviours 1-8 and 23-25). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define REC_A "{'type':'record','name':'r','fields':[{'name':'a','type':'int'}]}"
#define REC_AB                                                                                     \
    "{'type':'record','name':'r','fields':[{'name':'a','type':'int'},{'name':'b','type':'string'," \
    "'default':'x'}]}"

/* Behaviour 1: first id is 1, the next distinct schema 2. */
static void first_ids(void)
{
    struct resp *r = POST("/subjects/s/versions", t_schema_body("{'type':'string'}", NULL));
    CHECK_STATUS(r, 200);
    CHECK_BODY(r, "{\"id\":1}");
    CHECK(strcmp(r->content_type, "application/vnd.schemaregistry.v1+json") == 0, "content type %s",
          r->content_type);
    r = POST("/subjects/s2/versions", t_schema_body("{'type':'int'}", NULL));
    CHECK_BODY(r, "{\"id\":2}");
}

/* Behaviour 2: identical (after canonicalization) re-registration is idempotent. */
static void idempotent_register(void)
{
    CHECK(t_register("s", REC_A) == 1, "first id");
    const char *variants[] = {
        "{ 'type' : 'record' , 'name' : 'r' , 'fields' : [ { 'name' : 'a' , 'type' : 'int' } ] }",
        "{'name':'r','type':'record','fields':[{'type':'int','name':'a'}]}",
        "{'type':'record','name':'r','fields':[{'name':'a','type':{'type':'int'}}]}",
    };
    for (size_t i = 0; i < 3; i++)
        CHECK(t_register("s", variants[i]) == 1, "variant %zu", i);
    CHECK_JSON(GET("/subjects/s/versions"), "[1]");
}

/* Behaviour 3: the same schema under another subject gets the same id, version 1 there. */
static void same_schema_two_subjects(void)
{
    CHECK(t_register("a-value", REC_A) == 1, "id in a");
    CHECK(t_register("b-value", REC_A) == 1, "id in b");
    CHECK_JSON(GET("/subjects/b-value/versions"), "[1]");
    CHECK_JSON(GET("/schemas/ids/1/subjects"), "['a-value','b-value']");
    CHECK_JSON(GET("/schemas/ids/1/versions"),
               "[{'subject':'a-value','version':1},{'subject':'b-value','version':1}]");
    CHECK_ERROR(GET("/schemas/ids/7/subjects"), 404, 40403, "Schema not found");
    CHECK_ERROR(GET("/schemas/ids/7/versions"), 404, 40403, "Schema not found");
}

/* Behaviour 4: version reads: shape, no schemaType for AVRO, canonical string, raw schema. */
static void version_reads(void)
{
    t_register("s", REC_A);
    t_register("s", REC_AB);
    const char *v1 = "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":"
                     "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"r\\\",\\\"fields\\\":[{"
                     "\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";
    CHECK_BODY(GET("/subjects/s/versions/1"), v1);
    struct resp *r = GET("/subjects/s/versions/latest");
    CHECK(t_int(r, "version") == 2 && t_int(r, "id") == 2, "latest: %s", r->body);
    CHECK(!json_object_get(r->json, "schemaType"), "no schemaType for AVRO");
    CHECK_JSON(GET("/subjects/s/versions/-1"), r->body);
    CHECK_JSON(GET("/subjects/s/versions/LATEST"), r->body);
    CHECK_BODY(
        GET("/subjects/s/versions/1/schema"),
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
    t_register("p", "'string'");
    CHECK_BODY(GET("/subjects/p/versions/1/schema"), "\"string\"");
    CHECK_BODY(GET("/schemas/ids/3/schema"), "\"string\"");
    CHECK_JSON(GET("/subjects/s/versions"), "[1,2]");
    CHECK_ERROR(GET("/subjects/nope/versions"), 404, 40401, "Subject 'nope' not found.");
}

/* Behaviour 5: canonicalization collapses syntax; doc and custom props make new ids. */
static void canonicalization(void)
{
    CHECK(t_register("s", "{'type':'string'}") == 1, "object form");
    CHECK(t_register("s", "'string'") == 1, "bare form");
    CHECK(t_register("s", "{ 'type' : 'string' }") == 1, "spaced form");
    CHECK(t_register("t", "{'type':'string','doc':'x'}") == 1, "doc on a primitive is dropped");
    CHECK(t_register("u", "{'type':'record','name':'r','doc':'one','fields':[]}") == 2, "doc");
    CHECK(t_register("u", "{'type':'record','name':'r','doc':'two','fields':[]}") == 3,
          "changed doc -> new id");
    CHECK(t_register("v", "{'type':'string','x-prop':1}") == 4, "custom prop -> new id");
    CHECK(t_register("w", "{'type':'record','name':'ns.r','fields':[]}") ==
              t_register("w", "{'type':'record','name':'r','namespace':'ns','fields':[]}"),
          "dotted name == name+namespace");
}

/* Behaviour 6: lookup. */
static void lookup(void)
{
    t_register("s", REC_A);
    struct resp *r = POST(
        "/subjects/s",
        t_schema_body("{'name':'r','type':'record','fields':[{'name':'a','type':'int'}]}", NULL));
    CHECK_STATUS(r, 200);
    CHECK(t_int(r, "id") == 1 && t_int(r, "version") == 1 && !strcmp(t_str(r, "subject"), "s"),
          "lookup fields: %s", r->body);
    CHECK(!strcmp(t_str(r, "schema"), t_sq(REC_A)), "canonical schema returned: %s", r->body);
    CHECK_ERROR(POST("/subjects/nope", t_schema_body(REC_A, NULL)), 404, 40401,
                "Subject 'nope' not found.");
    CHECK_ERROR(POST("/subjects/s", t_schema_body("'int'", NULL)), 404, 40403, "Schema not found");
    r = POST("/subjects/s", t_schema_body("{'type':'bogus'}", NULL));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(r->json && strstr(t_str(r, "message"), "Type not supported: bogus") &&
              strstr(t_str(r, "message"), "Invalid schema {subject=s,"),
          "42201 text: %s", r->body);
    CHECK_ERROR(POST("/subjects/nope", t_schema_body("{'type':'bogus'}", NULL)), 422, 42201, NULL);
    /* A blank schema never matches: 40401/40403, not 42201. */
    CHECK_ERROR(POST("/subjects/s", "{\"schema\":\"\"}"), 404, 40403, "Schema not found");
}

/* Behaviour 7: version parsing. */
static void version_parsing(void)
{
    t_register("s", REC_A);
    const char *bad[] = {"0", "-2", "abc", "1.5", "2147483648"};
    const char *shown[] = {"0", "-2", "abc", "1.5", "2147483648"};
    for (size_t i = 0; i < 5; i++)
        CHECK_ERROR(GET(t_fmt("/subjects/s/versions/%s", bad[i])), 422, 42202,
                    t_fmt("The specified version '%s' is not a valid version id. Allowed values "
                          "are between [1, 2^31-1] and the string \"latest\"",
                          shown[i]));
    CHECK_ERROR(GET("/subjects/s/versions/%2B0"), 422, 42202,
                "The specified version '0' is not a valid version id. Allowed values are "
                "between [1, 2^31-1] and the string \"latest\"");
    CHECK_STATUS(GET("/subjects/s/versions/%2B1"), 200);
    CHECK_STATUS(GET("/subjects/s/versions/007"), 404);
    CHECK_ERROR(GET("/subjects/s/versions/2"), 404, 40402, "Version 2 not found.");
    CHECK_ERROR(GET("/subjects/x/versions/1"), 404, 40401, "Subject 'x' not found.");
    CHECK_ERROR(GET("/subjects/x/versions/latest"), 404, 40401, "Subject 'x' not found.");
    CHECK_ERROR(GET("/subjects/x/versions/zz"), 422, 42202, NULL);
}

/* Behaviour 8 and GET /schemas/ids/{id}. */
static void schema_by_id(void)
{
    t_register("s", REC_A);
    json_t *expected = json_pack("{s:s}", "schema", t_sq(REC_A));
    char *expected_text = json_dumps(expected, JSON_COMPACT);
    CHECK_BODY(GET("/schemas/ids/1"), expected_text);
    free(expected_text);
    json_decref(expected);
    CHECK_ERROR(GET("/schemas/ids/999"), 404, 40403, "Schema 999 not found");
    CHECK_ERROR(GET("/schemas/ids/-5"), 404, 40403, "Schema -5 not found");
    CHECK_ERROR(GET("/schemas/ids/abc"), 404, 404, "HTTP 404 Not Found");
    CHECK_ERROR(GET("/schemas/ids/99999999999"), 404, 404, "HTTP 404 Not Found");
    CHECK_ERROR(GET("/schemas/ids/999/schema"), 404, 40403, "Schema 999 not found");
    struct resp *r = GET("/schemas/ids/1?fetchMaxId=true&subject=");
    CHECK(t_int(r, "maxId") == 1, "maxId: %s", r->body);
    r = GET("/schemas/ids/1?subject=undefined");
    CHECK_STATUS(r, 200);
    CHECK(!json_object_get(r->json, "maxId"), "no maxId unless asked: %s", r->body);
    CHECK_JSON(GET("/schemas/types"), "['AVRO']");
}

/* Behaviour 23: media types. */
static void media_types(void)
{
    const char *none[] = {NULL};
    const char *jdk[] = {"Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", NULL};
    const char *star[] = {"Accept: */*", NULL};
    const char *json[] = {"Accept: application/json", NULL};
    const char *axios[] = {"Accept: application/json, text/plain, */*", NULL};
    const char *vnd[] = {"Accept: application/vnd.schemaregistry+json", NULL};
    const char *odd[] = {"Accept: text/html", NULL};
    struct {
        const char *const *h;
        const char *want;
    } cases[] = {
        {none, "application/vnd.schemaregistry.v1+json"},
        {jdk, "application/vnd.schemaregistry.v1+json"},
        {star, "application/vnd.schemaregistry.v1+json"},
        {json, "application/json"},
        {axios, "application/json"},
        {vnd, "application/vnd.schemaregistry+json"},
        {odd, "application/vnd.schemaregistry.v1+json"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resp *r = t_http("GET", "/subjects", NULL, cases[i].h);
        CHECK(r->status == 200 && !strcmp(r->content_type, cases[i].want),
              "case %zu: %ld %s, want %s", i, r->status, r->content_type, cases[i].want);
    }
    const char *body = t_schema_body("'string'", NULL);
    const char *no_ct[] = {"Content-Type:", NULL}; /* curl: send no Content-Type */
    CHECK_STATUS(t_http("POST", "/subjects/m/versions", body, no_ct), 200);
    const char *octet[] = {"Content-Type: application/octet-stream", NULL};
    CHECK_STATUS(t_http("POST", "/subjects/m/versions", body, octet), 200);
    const char *js[] = {"Content-Type: application/json; charset=utf-8", NULL};
    CHECK_STATUS(t_http("POST", "/subjects/m/versions", body, js), 200);
    const char *vnd2[] = {"Content-Type: application/vnd.schemaregistry+json", NULL};
    CHECK_STATUS(t_http("POST", "/subjects/m/versions", body, vnd2), 200);
    const char *text[] = {"Content-Type: text/plain", NULL};
    CHECK_ERROR(t_http("POST", "/subjects/m/versions", body, text), 415, 415,
                "HTTP 415 Unsupported Media Type");
    /* A Content-Type on GET is tolerated (Java clients send one). */
    CHECK_STATUS(GET("/subjects/m/versions"), 200);
    CHECK_ERROR(POST("/subjects/m/versions", "{\"schema\":"), 400, 400, NULL);
    CHECK_ERROR(POST("/subjects/m/versions", "not json"), 400, 400, NULL);
    CHECK_ERROR(POST("/subjects/m/versions", "[]"), 400, 400, NULL);
    CHECK_ERROR(POST("/subjects/m/versions", "{\"schema\":{}}"), 400, 400, NULL);
    CHECK_ERROR(POST("/subjects/m/versions", "{\"schema\":\"'string'\",\"version\":\"x\"}"), 400,
                400, NULL);
    CHECK_ERROR(POST("/subjects/m/versions", ""), 422, 422, NULL);
}

/* Behaviour 24: trailing slash, %2F in subjects, sorted subjects, error bodies. */
static void paths(void)
{
    CHECK(t_register("a%2Fb", "'string'") == 1, "subject with a slash");
    CHECK_JSON(GET("/subjects"), "['a/b']");
    CHECK_JSON(GET("/subjects/a%2Fb/versions/"), "[1]");
    CHECK_STATUS(POST("/compatibility/subjects/a%2Fb/versions/", t_schema_body("'string'", NULL)),
                 200);
    CHECK_JSON(GET("/config/"), "{'compatibilityLevel':'BACKWARD'}");
    t_register("b+c", "'string'");
    t_register("B", "'string'");
    t_register("a%20z", "'string'");
    t_register("%C3%A9", "'string'");
    CHECK_JSON(GET("/subjects"), "['B','a z','a/b','b+c','\u00e9']");
    CHECK_ERROR(GET("/nope"), 404, 404, "HTTP 404 Not Found");
    CHECK_ERROR(GET("/subjects/a/b/c/d/e/f/g"), 404, 404, "HTTP 404 Not Found");
    CHECK_ERROR(t_http("PUT", "/subjects", "{}", NULL), 405, 405, "HTTP 405 Method Not Allowed");
    CHECK_ERROR(t_http("PATCH", "/subjects/x/versions", "{}", NULL), 405, 405, NULL);
    CHECK_ERROR(GET("/subjects/%zz/versions"), 404, 404, NULL);
    CHECK_ERROR(GET("/associations/resources/-/orders?resourceType=topic&associationType=value"),
                404, 404, NULL);
}

/* Behaviour 25: the Kafka Connect sink round trip, also after a soft delete. */
static void connect_round_trip(void)
{
    const char *schema =
        "{'type':'record','name':'Value','namespace':'db.public.orders','fields':[{'name':'id',"
        "'type':'long'},{'name':'note','type':['null','string'],'default':null}],"
        "'connect.name':'db.public.orders.Value'}";
    struct resp *r =
        POST("/subjects/t-value/versions?normalize=false", t_schema_body(schema, NULL));
    long id = t_int(r, "id");
    CHECK(id == 1, "register: %s", r->body);
    r = GET("/schemas/ids/1?fetchMaxId=false&subject=t-value");
    CHECK_STATUS(r, 200);
    const char *returned = t_str(r, "schema");
    json_t *body = json_pack("{s:s}", "schema", returned ? returned : "");
    char *dumped = json_dumps(body, JSON_COMPACT);
    const char *lookup = t_fmt("%s", dumped);
    free(dumped);
    json_decref(body);
    r = POST("/subjects/t-value?normalize=false&deleted=true", lookup);
    CHECK(r->status == 200 && t_int(r, "version") == 1 && t_int(r, "id") == 1, "lookup: %s",
          r->body);
    CHECK_JSON(DEL("/subjects/t-value/versions/1"), "1");
    r = POST("/subjects/t-value?normalize=false&deleted=true", lookup);
    CHECK(r->status == 200 && t_int(r, "version") == 1, "lookup after soft delete: %s", r->body);
    CHECK_ERROR(POST("/subjects/t-value?normalize=false&deleted=false", lookup), 404, 40401, NULL);
    CHECK_STATUS(GET("/schemas/ids/1?fetchMaxId=false&subject=t-value"), 200);
    /* 8.x body with schemaType, Java's default Accept and a Content-Type on GET. */
    const char *jdk[] = {"Content-Type: application/vnd.schemaregistry.v1+json",
                         "Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", NULL};
    r = t_http("POST", "/subjects/t2-value/versions?normalize=false",
               t_schema_body(schema, ",\"schemaType\":\"AVRO\""), jdk);
    CHECK(r->status == 200 && t_int(r, "id") == 1, "8.x register: %s", r->body);
    CHECK_STATUS(t_http("GET", "/schemas/ids/1?fetchMaxId=false&subject=t2-value", NULL, jdk), 200);
}

/* Registration errors of issue 2's scope. */
static void register_errors(void)
{
    struct resp *r =
        POST("/subjects/s/versions", t_schema_body("{'type':'record','name':'r'}", NULL));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(t_str(r, "message") ? t_str(r, "message") : "",
                 "details: Record has no fields: {\"type\":\"record\",\"name\":\"r\"}") != NULL,
          "details: %s", r->body);
    CHECK_ERROR(POST("/subjects/s/versions", "{\"schema\":\"'int'\",\"schemaType\":\"PROTO\"}"),
                422, 42201, "Invalid schema type PROTO");
    CHECK_ERROR(POST("/subjects/s/versions", "{\"schema\":\"\"}"), 422, 42201, "Empty schema");
    CHECK_ERROR(POST("/subjects/s/versions", "{}"), 422, 42201, "Empty schema");
    CHECK_ERROR(POST("/subjects/a%01b/versions", t_schema_body("'int'", NULL)), 422, 42208,
                "The specified subject 'a\001b' is not a valid.");
    CHECK_ERROR(POST("/subjects/__GLOBAL/versions", t_schema_body("'int'", NULL)), 422, 42208,
                NULL);
    CHECK_ERROR(POST("/subjects/s/versions", "{\"schema\":\"{\\\"type\\\":\\\"bad"), 400, 400,
                NULL);
    /* Defaults are checked for new schemas (see --avro-validate-defaults). */
    r = POST(
        "/subjects/s/versions",
        t_schema_body(
            "{'type':'record','name':'r','fields':[{'name':'a','type':'string','default':null}]}",
            NULL));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body, "Invalid default for field a: null not a \\\"string\\\"") != NULL,
          "default message: %s", r->body);
    CHECK_JSON(GET("/subjects"), "[]");
}

/* Framework odds and ends: GET/POST /, health, 413, query parsing. */
static void misc_endpoints(void)
{
    CHECK_JSON(GET("/"), "{}");
    CHECK_JSON(POST("/", "{}"), "{}");
    CHECK_JSON(GET("/config"), "{'compatibilityLevel':'BACKWARD'}");
    CHECK_JSON(t_http_raw("GET", "/health/live", NULL, NULL), "{'status':'UP'}");
    CHECK_JSON(t_http_raw("GET", "/health/ready", NULL, NULL), "{'status':'UP'}");
    struct resp *r = GET("/v1/metadata/id");
    CHECK(r->status == 200 &&
              json_object_get(json_object_get(json_object_get(r->json, "scope"), "clusters"),
                              "schema-registry-cluster"),
          "metadata id: %s", r->body);
    r = GET("/v1/metadata/version");
    CHECK(r->status == 200 && t_str(r, "version") && t_str(r, "commitId"), "version: %s", r->body);
    CHECK_JSON(GET("/contexts"), "['.']");
    /* Bodies over --max-request-bytes (8 MiB) are refused before they are read. */
    size_t big = 9 * 1024 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    r = POST("/subjects/s/versions", huge);
    CHECK_ERROR(r, 413, 413, NULL);
    /* A client that waits for 100 Continue is answered before it sends anything. */
    const char *expect[] = {"Content-Type: application/vnd.schemaregistry.v1+json",
                            "Expect: 100-continue", NULL};
    r = t_http("POST", "/subjects/s/versions", huge, expect);
    free(huge);
    CHECK_ERROR(r, 413, 413, NULL);
    CHECK_STATUS(GET("/subjects"), 200);
    /* Query strings real clients send: empty segments, empty values, repeated keys. */
    t_register("q", "'string'");
    CHECK_JSON(GET("/subjects?deleted=false&&subjectPrefix=&deleted=true"), "['q']");
    CHECK_JSON(GET("/subjects/q/versions?deleted=False"), "[1]");
    CHECK_ERROR(GET("/subjects?offset=abc"), 404, 404, NULL);
    /* A schema string above --max-schema-bytes gets 42209. */
    size_t n = 1100 * 1024;
    char *doc = malloc(n + 64);
    strcpy(doc, "{\"schema\":\"{\\\"type\\\":\\\"string\\\",\\\"doc\\\":\\\"");
    size_t len = strlen(doc);
    memset(doc + len, 'x', n);
    strcpy(doc + len + n, "\\\"}\"}");
    r = POST("/subjects/big/versions", doc);
    free(doc);
    CHECK_ERROR(r, 422, 42209, "Register operation failed because schema is too large");
}

/* Subjects listing flags of issue 2's scope. */
static void subjects_listing(void)
{
    CHECK_JSON(GET("/subjects"), "[]");
    t_register("b", "'string'");
    t_register("a", "'int'");
    CHECK_JSON(GET("/subjects"), "['a','b']");
    CHECK_JSON(GET("/subjects?subjectPrefix=b"), "['b']");
    CHECK_JSON(GET("/subjects?offset=1&limit=1"), "['b']");
    CHECK_JSON(DEL("/subjects/a"), "[1]");
    CHECK_JSON(GET("/subjects"), "['b']");
    CHECK_JSON(GET("/subjects?deleted=true"), "['a','b']");
    CHECK_JSON(GET("/subjects?deletedOnly=true"), "['a']");
}

/* An Apicurio deployment's environment works unchanged: REGISTRY_DATASOURCE_* with a JDBC
 * URL whose currentSchema names the PostgreSQL schema. */
static void apicurio_environment(void)
{
    if (strcmp(t_store, "pg") != 0)
        return;
    const char *url = t_db_url(); /* postgresql://postgres@127.0.0.1:PORT/tN */
    const char *hostpart = strchr(url, '@') + 1;
    const char *jdbc = t_fmt("jdbc:postgresql://%s?currentSchema=apicurio", hostpart);
    setenv("REGISTRY_DATASOURCE_USERNAME", "postgres", 1);
    setenv("REGISTRY_DATASOURCE_PASSWORD", "unused-secret", 1);
    const char *args[] = {"--database-url", jdbc, NULL};
    t_restart_args(args);
    unsetenv("REGISTRY_DATASOURCE_USERNAME");
    unsetenv("REGISTRY_DATASOURCE_PASSWORD");
    CHECK(t_register("s", "'string'") == 1, "registers through the JDBC URL");
    CHECK(t_sql("DO $$ BEGIN IF (SELECT count(*) FROM apicurio.versions) <> 1 THEN RAISE "
                "EXCEPTION 'not in schema apicurio'; END IF; END $$"),
          "tables live in the currentSchema");
    FILE *f = fopen(t_daemon_log(), "r");
    char line[2048];
    bool leaked = false;
    while (f && fgets(line, sizeof(line), f))
        leaked = leaked || strstr(line, "unused-secret");
    if (f)
        fclose(f);
    CHECK(!leaked, "the password never appears in the log");
}

/* Connections PostgreSQL drops (restarts, poolers, idle timeouts) are re-opened: requests
 * after the drop succeed. */
static void reconnect(void)
{
    if (strcmp(t_store, "pg") != 0)
        return;
    t_register("s", "'string'");
    for (int round = 0; round < 2; round++) {
        CHECK(t_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'schemaregd'"),
              "terminate");
        /* A write first (through a transaction), then reads and writes. */
        for (int i = 0; i < 8; i++) {
            struct resp *r =
                POST("/subjects/s/versions",
                     t_schema_body(t_fmt("{'type':'string','r':%d}", round * 8 + i), NULL));
            CHECK_STATUS(r, 200);
            CHECK_STATUS(GET("/subjects/s/versions"), 200);
        }
    }
}

/* Every input has a limit, checked before the work. */
static void limits(void)
{
    const char *args[] = {
        "--max-subject-length", "16", "--max-schema-depth", "8", "--max-references", "1", NULL};
    t_fresh(args);
    CHECK_ERROR(POST("/subjects/abcdefghijklmnopq/versions", t_schema_body("'int'", NULL)), 422,
                42208, NULL);
    CHECK_STATUS(POST("/subjects/abcdefghijklmnop/versions", t_schema_body("'int'", NULL)), 200);
    /* Nine nested arrays are deeper than 8. */
    const char *deep = "{'type':'array','items':{'type':'array','items':{'type':'array','items':"
                       "{'type':'array','items':{'type':'array','items':{'type':'array','items':"
                       "{'type':'array','items':{'type':'array','items':{'type':'array','items':"
                       "'int'}}}}}}}}}";
    struct resp *r = POST("/subjects/deep/versions", t_schema_body(deep, NULL));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body, "deeper than the limit of 8") != NULL, "depth message: %s", r->body);
    t_register("a", "{'type':'enum','name':'A','symbols':['X']}");
    t_register("b", "{'type':'enum','name':'B','symbols':['Y']}");
    r = POST("/subjects/c/versions",
             t_schema_body("{'type':'record','name':'C','fields':[{'name':'a','type':'A'},{'name':'"
                           "b','type':'B'}]}",
                           ",\"references\":[{\"name\":\"A\",\"subject\":\"a\",\"version\":1},"
                           "{\"name\":\"B\",\"subject\":\"b\",\"version\":1}]"));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body, "Too many schema references (limit 1)") != NULL, "refs: %s", r->body);
}

const struct test core_tests[] = {
    {"limits", limits},
    {"apicurio_environment", apicurio_environment},
    {"reconnect", reconnect},
    {"first_ids", first_ids},
    {"idempotent_register", idempotent_register},
    {"same_schema_two_subjects", same_schema_two_subjects},
    {"version_reads", version_reads},
    {"canonicalization", canonicalization},
    {"lookup", lookup},
    {"version_parsing", version_parsing},
    {"schema_by_id", schema_by_id},
    {"media_types", media_types},
    {"paths", paths},
    {"connect_round_trip", connect_round_trip},
    {"register_errors", register_errors},
    {"misc_endpoints", misc_endpoints},
    {"subjects_listing", subjects_listing},
    {NULL, NULL},
};
