# SPDX-License-Identifier: Apache-2.0
# Writes OUT, a C file holding the migrations of sql/pg and sql/sqlite as byte arrays, so the
# daemon carries its schema with it. Run by add_custom_command at build time.
set(out "/* Generated from sql/ by cmake/embed_sql.cmake; do not edit. */\n")
string(APPEND out "#include \"schemaregd/store.h\"\n#include <string.h>\n")
foreach(dialect pg sqlite)
    file(GLOB files "${SQL_DIR}/${dialect}/*.sql")
    list(SORT files)
    set(rows "")
    set(i 0)
    foreach(f ${files})
        get_filename_component(base "${f}" NAME_WE)
        string(REGEX MATCH "^[0-9]+" num "${base}")
        math(EXPR num "${num} + 0")
        file(READ "${f}" hex HEX)
        string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
        string(APPEND out "static const char ${dialect}_${i}[] = {${hex}0x00};\n")
        string(APPEND rows "    {${num}, \"${base}\", ${dialect}_${i}},\n")
        math(EXPR i "${i} + 1")
    endforeach()
    string(APPEND out "static const struct sr_migration ${dialect}_migrations[] = {\n${rows}    {0, NULL, NULL}};\n")
endforeach()
string(APPEND out "
const struct sr_migration *sr_store_migrations(const char *dialect, size_t *n)
{
    const struct sr_migration *m = strcmp(dialect, \"pg\") == 0 ? pg_migrations : sqlite_migrations;
    size_t k = 0;
    while (m[k].sql)
        k++;
    *n = k;
    return m;
}
")
file(WRITE "${OUT}.tmp" "${out}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
