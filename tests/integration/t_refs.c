/* SPDX-License-Identifier: Apache-2.0 */
/* Schema references: named types from other subjects, resolution (transitive, -1 stored as
 * the concrete version), referencedby, format=resolved, delete protection (spec §12
 * behaviour 22). */
#include <string.h>

#include "harness.h"

#define ADDRESS                                                                                    \
    "{'type':'record','name':'Address','namespace':'com.acme','fields':[{'name':'street','type':'" \
    "string'}]}"
#define CUSTOMER                                                                                  \
    "{'type':'record','name':'Customer','namespace':'com.acme','fields':[{'name':'home','type':'" \
    "Address'}]}"
#define REF_ADDR(v)                                                                  \
    ",\"references\":[{\"name\":\"com.acme.Address\",\"subject\":\"address-value\"," \
    "\"version\":" #v "}]"

static void register_with_refs(void)
{
    CHECK(t_register("address-value", ADDRESS) == 1, "address id");
    struct resp *r =
        POST("/subjects/customer-value/versions", t_schema_body(CUSTOMER, REF_ADDR(1)));
    CHECK_BODY(r, "{\"id\":2}");
    r = GET("/subjects/customer-value/versions/1");
    CHECK_JSON(r, "{'subject':'customer-value','version':1,'id':2,'references':[{'name':'com.acme."
                  "Address','subject':'address-value','version':1}],'schema':'{\\\"type\\\":"
                  "\\\"record\\\",\\\"name\\\":\\\"Customer\\\",\\\"namespace\\\":\\\"com.acme\\\","
                  "\\\"fields\\\":[{\\\"name\\\":\\\"home\\\",\\\"type\\\":\\\"Address\\\"}]}'}");
    r = GET("/schemas/ids/2");
    CHECK(json_array_size(json_object_get(r->json, "references")) == 1, "references by id: %s",
          r->body);
    /* format=resolved inlines the referenced type. */
    r = GET("/subjects/customer-value/versions/1?format=resolved");
    CHECK(t_str(r, "schema") && strstr(t_str(r, "schema"), "\"street\""), "resolved: %s", r->body);
    r = GET("/schemas/ids/2?format=resolved");
    CHECK(t_str(r, "schema") && strstr(t_str(r, "schema"), "\"street\""), "resolved by id: %s",
          r->body);
    CHECK_BODY(GET("/subjects/customer-value/versions/1/schema?format=bogus"),
               "{\"type\":\"record\",\"name\":\"Customer\",\"namespace\":\"com.acme\",\"fields\":[{"
               "\"name\":\"home\",\"type\":\"Address\"}]}");
    /* Lookup with the same references finds it; identical re-register is idempotent. */
    r = POST("/subjects/customer-value", t_schema_body(CUSTOMER, REF_ADDR(1)));
    CHECK(r->status == 200 && t_int(r, "id") == 2, "lookup with refs: %s", r->body);
    CHECK_BODY(POST("/subjects/customer-value/versions", t_schema_body(CUSTOMER, REF_ADDR(1))),
               "{\"id\":2}");
    /* Without the reference the type is unknown. */
    r = POST("/subjects/other/versions", t_schema_body(CUSTOMER, NULL));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body, "\\\"Address\\\" is not a defined name"), "message: %s", r->body);
}

static void bad_references(void)
{
    t_register("address-value", ADDRESS);
    struct resp *r = POST("/subjects/c/versions", t_schema_body(CUSTOMER, REF_ADDR(2)));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body,
                 "No schema reference found for subject \\\"address-value\\\" and version 2"),
          "message: %s", r->body);
    r = POST("/subjects/c/versions",
             t_schema_body(CUSTOMER,
                           ",\"references\":[{\"name\":\"x\",\"subject\":\"address-value\"}]"));
    CHECK_ERROR(r, 422, 42201, NULL);
    CHECK(strstr(r->body, "Invalid reference: {name='x', subject='address-value', version=null}"),
          "message: %s", r->body);
    CHECK_ERROR(POST("/subjects/c/versions", t_schema_body(CUSTOMER, ",\"references\":{}")), 400,
                400, NULL);
}

static void latest_reference(void)
{
    t_register("address-value", ADDRESS);
    t_register("address-value",
               "{'type':'record','name':'Address','namespace':'com.acme','fields':[{'name':'street'"
               ",'type':'string'},{'name':'zip','type':'string','default':''}]}");
    struct resp *r =
        POST("/subjects/customer-value/versions", t_schema_body(CUSTOMER, REF_ADDR(-1)));
    CHECK_STATUS(r, 200);
    r = GET("/subjects/customer-value/versions/latest");
    json_t *refs = json_object_get(r->json, "references");
    CHECK(json_integer_value(json_object_get(json_array_get(refs, 0), "version")) == 2,
          "-1 stored as the concrete version: %s", r->body);
}

static void referenced_by_and_delete(void)
{
    t_register("address-value", ADDRESS);
    CHECK_STATUS(POST("/subjects/customer-value/versions", t_schema_body(CUSTOMER, REF_ADDR(1))),
                 200);
    CHECK_JSON(GET("/subjects/address-value/versions/1/referencedby"), "[2]");
    CHECK_JSON(GET("/subjects/address-value/versions/latest/referencedby"), "[2]");
    CHECK_JSON(GET("/subjects/customer-value/versions/1/referencedby"), "[]");
    CHECK_ERROR(GET("/subjects/address-value/versions/9/referencedby"), 404, 40402, NULL);
    CHECK_ERROR(GET("/subjects/nope/versions/1/referencedby"), 404, 40401, NULL);
    CHECK_ERROR(GET("/subjects/address-value/versions/x/referencedby"), 422, 42202, NULL);
    const char *msg = "One or more references exist to the schema "
                      "{magic=1,keytype=SCHEMA,subject=address-value,version=1}.";
    CHECK_ERROR(DEL("/subjects/address-value/versions/1"), 422, 42206, msg);
    CHECK_ERROR(DEL("/subjects/address-value"), 422, 42206, msg);
    /* Removing the referrer frees the referenced version. */
    CHECK_JSON(DEL("/subjects/customer-value"), "[1]");
    CHECK_ERROR(DEL("/subjects/address-value"), 422, 42206, msg);
    CHECK_JSON(DEL("/subjects/customer-value?permanent=true"), "[1]");
    CHECK_JSON(GET("/subjects/address-value/versions/1/referencedby"), "[]");
    CHECK_JSON(DEL("/subjects/address-value"), "[1]");
}

/* Transitive references: a reference's own references are resolved first. */
static void transitive_references(void)
{
    t_register("color", "{'type':'enum','name':'Color','symbols':['RED']}");
    CHECK_STATUS(
        POST("/subjects/car/versions",
             t_schema_body(
                 "{'type':'record','name':'Car','fields':[{'name':'color','type':'Color'}]}",
                 ",\"references\":[{\"name\":\"Color\",\"subject\":\"color\",\"version\":1}]")),
        200);
    struct resp *r = POST(
        "/subjects/garage/versions",
        t_schema_body("{'type':'record','name':'Garage','fields':[{'name':'cars','type':{'type':'"
                      "array','items':'Car'}}]}",
                      ",\"references\":[{\"name\":\"Car\",\"subject\":\"car\",\"version\":1}]"));
    CHECK_STATUS(r, 200);
    r = GET(t_fmt("/schemas/ids/%ld?format=resolved", t_int(r, "id")));
    CHECK(t_str(r, "schema") && strstr(t_str(r, "schema"), "RED"), "fully resolved: %s", r->body);
    /* Compatibility checks of a schema with references. */
    r = POST(
        "/compatibility/subjects/garage/versions/latest",
        t_schema_body("{'type':'record','name':'Garage','fields':[{'name':'cars','type':{'type':'"
                      "array','items':'Car'}},{'name':'n','type':'int','default':0}]}",
                      ",\"references\":[{\"name\":\"Car\",\"subject\":\"car\",\"version\":1}]"));
    CHECK_BODY(r, "{\"is_compatible\":true}");
}

const struct test refs_tests[] = {
    {"register_with_refs", register_with_refs},
    {"bad_references", bad_references},
    {"latest_reference", latest_reference},
    {"referenced_by_and_delete", referenced_by_and_delete},
    {"transitive_references", transitive_references},
    {NULL, NULL},
};
