/* SPDX-License-Identifier: MIT */
/*
 * tests/options/test_options.c — the options table read from STRATA_<NAME>
 * variables and STRATA_OPTIONS: value parsing, precedence, the warnings
 * (compared exactly, from a child process) and STRATA_VERBOSE's listing;
 * and docs/options.md's table against the code's.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "options.h"

#include <strata/heap.h>
#include <strata/platform.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"

/* Children start from an environment with no STRATA_ variable but `keep`. */
static void clear_strata_variables(void)
{
    for (int id = 0; id < CRT_OPTION_COUNT; id++)
        child_set_env(crt_option_table[id].variable, NULL);
    child_set_env("STRATA_OPTIONS", NULL);
}

/* One line with every option's value as the getters give it, and the heap's purge delay. */
static void print_values(void)
{
    char line[1024];
    size_t length = strata_format(line, sizeof line, "values:");
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        const crt_option_info *option = &crt_option_table[id];
        if (option->type == CRT_STRING)
            length += strata_format(line + length, sizeof line - length, " %s=%s", option->name,
                                    crt_option_string((crt_option_id)id));
        else
            length += strata_format(line + length, sizeof line - length, " %s=%d", option->name,
                                    (int)crt_option_int((crt_option_id)id));
    }
    length += strata_format(line + length, sizeof line - length, " heap_purge_delay=%d\n",
                            (int)strata_heap_purge_delay());
    strata_write_error(line, length);
}

static void reload_and_print(void)
{
    crt_options_reload();
    print_values();
}

/* ---- child scenarios -------------------------------------------------------------- */

static void scenario_defaults(void)
{
    clear_strata_variables();
    reload_and_print();
}

/* Every boolean word, any case, for a bool and for the enums that take them. */
static void scenario_boolean_words(void)
{
    static const char *const words[] = {"1", "0", "true", "FALSE", "Yes", "no", "ON", "off", NULL};
    clear_strata_variables();
    char line[256];
    for (size_t i = 0; words[i] != NULL; i++) {
        child_set_env("STRATA_VERBOSE", NULL);
        child_set_env("STRATA_STATS", words[i]);
        child_set_env("STRATA_LEAKS", words[i]);
        crt_options_reload();
        size_t length = strata_format(line, sizeof line, "%s: stats=%d leaks=%d\n", words[i],
                                      (int)crt_option_int(CRT_OPTION_STATS), (int)crt_option_int(CRT_OPTION_LEAKS));
        strata_write_error(line, length);
    }
    child_set_env("STRATA_STATS", NULL);
    child_set_env("STRATA_LEAKS", NULL);
    for (size_t i = 0; words[i] != NULL; i++) {
        child_set_env("STRATA_VERBOSE", words[i]);
        crt_options_reload();
        /* With verbose on the listing comes first; only the value matters here. */
        size_t length = strata_format(line, sizeof line, "%s: verbose=%d\n", words[i],
                                      (int)crt_option_int(CRT_OPTION_VERBOSE));
        strata_write_error(line, length);
    }
}

static void scenario_enum_values(void)
{
    clear_strata_variables();
    child_set_env("STRATA_STATS", "2");
    child_set_env("STRATA_LEAKS", "STACK");
    child_set_env("STRATA_PURGE_DELAY", "-1");
    child_set_env("STRATA_PURGE_BACKGROUND", "yes");
    child_set_env("STRATA_OUTPUT", "report.txt");
    child_set_env("STRATA_MAP", "/tmp/map.txt");
    child_set_env("STRATA_MAP_SIGNAL", "USR2");
    reload_and_print();
}

static void scenario_malformed_values(void)
{
    clear_strata_variables();
    child_set_env("STRATA_STATS", "12345678"); /* eight characters: no longer silently off */
    child_set_env("STRATA_LEAKS", "maybe");
    child_set_env("STRATA_VERBOSE", "2");
    child_set_env("STRATA_PURGE_DELAY", "86400001");
    reload_and_print();
    child_set_env("STRATA_PURGE_DELAY", "10ms");
    reload_and_print();
}

static void scenario_too_long_string(void)
{
    clear_strata_variables();
    char value[301];
    memset(value, 'x', 300);
    value[300] = '\0';
    child_set_env("STRATA_OUTPUT", value);
    reload_and_print();
}

static void scenario_unknown_variable(void)
{
    clear_strata_variables();
    child_set_env("STRATA_STAT", "1");
    reload_and_print();
    child_set_env("STRATA_STAT", NULL);
}

static void scenario_options_list(void)
{
    clear_strata_variables();
    child_set_env("STRATA_OPTIONS", " stats = 2 ,leaks=stack,, purge_delay=0,output=a b.txt");
    reload_and_print();
    /* A variable wins over the list. */
    child_set_env("STRATA_STATS", "1");
    child_set_env("STRATA_PURGE_DELAY", "250");
    reload_and_print();
}

static void scenario_options_list_errors(void)
{
    clear_strata_variables();
    child_set_env("STRATA_OPTIONS", "foo=1,verbose,purge_delay=-5,stats=on");
    reload_and_print();
}

static void scenario_verbose(void)
{
    clear_strata_variables();
    child_set_env("STRATA_OPTIONS", "leaks=1");
    child_set_env("STRATA_VERBOSE", "yes");
    crt_options_reload();
}

static const child_scenario scenarios[] = {
    {"defaults", scenario_defaults},
    {"boolean_words", scenario_boolean_words},
    {"enum_values", scenario_enum_values},
    {"malformed_values", scenario_malformed_values},
    {"too_long_string", scenario_too_long_string},
    {"unknown_variable", scenario_unknown_variable},
    {"options_list", scenario_options_list},
    {"options_list_errors", scenario_options_list_errors},
    {"verbose", scenario_verbose},
    {NULL, NULL},
};

static void expect_output(const char *name, const char *expected)
{
    child_result result;
    assert_true(child_run(name, &result));
    assert_true(result.exited);
    assert_int_equal(result.exit_code, 0);
    assert_string_equal(result.output, expected);
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    expect_output("defaults", "values: stats=0 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                              "heap_purge_delay=1000\n");
}

static void test_boolean_words(void **state)
{
    (void)state;
    expect_output("boolean_words", "1: stats=1 leaks=1\n"
                                   "0: stats=0 leaks=0\n"
                                   "true: stats=1 leaks=1\n"
                                   "FALSE: stats=0 leaks=0\n"
                                   "Yes: stats=1 leaks=1\n"
                                   "no: stats=0 leaks=0\n"
                                   "ON: stats=1 leaks=1\n"
                                   "off: stats=0 leaks=0\n"
                                   "strata: option stats=0 (default)\n"
                                   "strata: option leaks=0 (default)\n"
                                   "strata: option output= (default)\n"
                                   "strata: option verbose=1 (variable)\n"
                                   "strata: option purge_delay=1000 (default)\n"
                                   "strata: option purge_background=0 (default)\n"
                                   "strata: option map= (default)\n"
                                   "strata: option map_signal= (default)\n"
                                   "strata: option guard=0 (default)\n"
                                   "1: verbose=1\n"
                                   "0: verbose=0\n"
                                   "strata: option stats=0 (default)\n"
                                   "strata: option leaks=0 (default)\n"
                                   "strata: option output= (default)\n"
                                   "strata: option verbose=1 (variable)\n"
                                   "strata: option purge_delay=1000 (default)\n"
                                   "strata: option purge_background=0 (default)\n"
                                   "strata: option map= (default)\n"
                                   "strata: option map_signal= (default)\n"
                                   "strata: option guard=0 (default)\n"
                                   "true: verbose=1\n"
                                   "FALSE: verbose=0\n"
                                   "strata: option stats=0 (default)\n"
                                   "strata: option leaks=0 (default)\n"
                                   "strata: option output= (default)\n"
                                   "strata: option verbose=1 (variable)\n"
                                   "strata: option purge_delay=1000 (default)\n"
                                   "strata: option purge_background=0 (default)\n"
                                   "strata: option map= (default)\n"
                                   "strata: option map_signal= (default)\n"
                                   "strata: option guard=0 (default)\n"
                                   "Yes: verbose=1\n"
                                   "no: verbose=0\n"
                                   "strata: option stats=0 (default)\n"
                                   "strata: option leaks=0 (default)\n"
                                   "strata: option output= (default)\n"
                                   "strata: option verbose=1 (variable)\n"
                                   "strata: option purge_delay=1000 (default)\n"
                                   "strata: option purge_background=0 (default)\n"
                                   "strata: option map= (default)\n"
                                   "strata: option map_signal= (default)\n"
                                   "strata: option guard=0 (default)\n"
                                   "ON: verbose=1\n"
                                   "off: verbose=0\n");
}

static void test_enum_int_and_string_values(void **state)
{
    (void)state;
    expect_output("enum_values", "values: stats=2 leaks=2 output=report.txt verbose=0 purge_delay=-1 purge_background=1 "
                                 "map=/tmp/map.txt map_signal=USR2 guard=0 heap_purge_delay=-1\n");
}

static void test_malformed_values_warn_and_keep_the_default(void **state)
{
    (void)state;
    expect_output("malformed_values",
                  "strata: warning: STRATA_STATS=12345678: expected one of 0, 1, 2 (0 and 1 also as "
                  "1/0/true/false/yes/no/on/off); using 0\n"
                  "strata: warning: STRATA_LEAKS=maybe: expected one of 0, 1, stack (0 and 1 also as "
                  "1/0/true/false/yes/no/on/off); using 0\n"
                  "strata: warning: STRATA_VERBOSE=2: expected a boolean: 1/0/true/false/yes/no/on/off; using 0\n"
                  "strata: warning: STRATA_PURGE_DELAY=86400001: expected an integer from -1 to 86400000; using 1000\n"
                  "values: stats=0 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                  "heap_purge_delay=1000\n"
                  "strata: warning: STRATA_STATS=12345678: expected one of 0, 1, 2 (0 and 1 also as "
                  "1/0/true/false/yes/no/on/off); using 0\n"
                  "strata: warning: STRATA_LEAKS=maybe: expected one of 0, 1, stack (0 and 1 also as "
                  "1/0/true/false/yes/no/on/off); using 0\n"
                  "strata: warning: STRATA_VERBOSE=2: expected a boolean: 1/0/true/false/yes/no/on/off; using 0\n"
                  "strata: warning: STRATA_PURGE_DELAY=10ms: expected an integer from -1 to 86400000; using 1000\n"
                  "values: stats=0 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                  "heap_purge_delay=1000\n");
}

static void test_too_long_string_warns(void **state)
{
    (void)state;
    expect_output("too_long_string",
                  "strata: warning: STRATA_OUTPUT (a value of 300 bytes): expected at most 255 bytes; using \"\"\n"
                  "values: stats=0 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                  "heap_purge_delay=1000\n");
}

static void test_unknown_variable_warns_with_the_valid_names(void **state)
{
    (void)state;
    expect_output("unknown_variable",
                  "strata: warning: unknown variable STRATA_STAT; valid names: STRATA_STATS, STRATA_LEAKS, "
                  "STRATA_OUTPUT, STRATA_VERBOSE, STRATA_PURGE_DELAY, STRATA_PURGE_BACKGROUND, STRATA_MAP, "
                  "STRATA_MAP_SIGNAL, STRATA_GUARD, STRATA_OPTIONS\n"
                  "values: stats=0 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                  "heap_purge_delay=1000\n");
}

static void test_options_list_and_precedence(void **state)
{
    (void)state;
    expect_output("options_list", "values: stats=2 leaks=2 output=a b.txt verbose=0 purge_delay=0 purge_background=0 map= map_signal= guard=0 "
                                  "heap_purge_delay=0\n"
                                  "values: stats=1 leaks=2 output=a b.txt verbose=0 purge_delay=250 purge_background=0 map= "
                                  "map_signal= guard=0 heap_purge_delay=250\n");
}

static void test_options_list_errors(void **state)
{
    (void)state;
    expect_output("options_list_errors",
                  "strata: warning: STRATA_OPTIONS item foo=1: unknown option; valid names: stats, leaks, output, "
                  "verbose, purge_delay, purge_background, map, map_signal, guard\n"
                  "strata: warning: STRATA_OPTIONS item verbose: expected name=value\n"
                  "strata: warning: STRATA_OPTIONS item purge_delay=-5: expected an integer from -1 to 86400000; "
                  "using 1000\n"
                  "values: stats=1 leaks=0 output= verbose=0 purge_delay=1000 purge_background=0 map= map_signal= guard=0 "
                  "heap_purge_delay=1000\n");
}

static void test_verbose_lists_the_options_in_force(void **state)
{
    (void)state;
    expect_output("verbose", "strata: option stats=0 (default)\n"
                             "strata: option leaks=1 (STRATA_OPTIONS)\n"
                             "strata: option output= (default)\n"
                             "strata: option verbose=1 (variable)\n"
                             "strata: option purge_delay=1000 (default)\n"
                             "strata: option purge_background=0 (default)\n"
                             "strata: option map= (default)\n"
                             "strata: option map_signal= (default)\n"
                             "strata: option guard=0 (default)\n");
}

static void test_find_is_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(crt_option_find("PURGE_delay", 11), CRT_OPTION_PURGE_DELAY);
    assert_int_equal(crt_option_find("stats", 5), CRT_OPTION_STATS);
    assert_int_equal(crt_option_find("stat", 4), CRT_OPTION_COUNT);
    assert_int_equal(crt_option_find("statsx", 6), CRT_OPTION_COUNT);
}

#if defined(STRATA_OPTIONS_DOC)
/* The table's row for an option, as docs/options.md shows it. */
static void table_row(const crt_option_info *option, char *row, size_t capacity)
{
    char kind[128];
    switch (option->type) {
    case CRT_BOOL:
        snprintf(kind, sizeof kind, "bool");
        break;
    case CRT_INT:
        snprintf(kind, sizeof kind, "int, %ld to %ld", option->minimum, option->maximum);
        break;
    case CRT_ENUM: {
        size_t length = (size_t)snprintf(kind, sizeof kind, "enum:");
        for (const char *at = option->choices; *at != '\0';) {
            const char *end = strchr(at, ',');
            size_t size = end != NULL ? (size_t)(end - at) : strlen(at);
            length += (size_t)snprintf(kind + length, sizeof kind - length, " `%.*s`%s", (int)size, at,
                                       end != NULL ? "," : "");
            at += size + (end != NULL);
        }
        break;
    }
    default:
        snprintf(kind, sizeof kind, "string");
        break;
    }
    snprintf(row, capacity, "| `%s` | %s | %s%s%s | %s |", option->variable, kind,
             option->default_value[0] != '\0' ? "`" : "",
             option->default_value[0] != '\0' ? option->default_value : "empty",
             option->default_value[0] != '\0' ? "`" : "", option->meaning);
}

static void test_docs_table_matches_the_code(void **state)
{
    (void)state;
    FILE *file = fopen(STRATA_OPTIONS_DOC, "r");
    assert_non_null(file);
    char line[1024];
    bool inside = false;
    int row = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "<!-- options table: begin -->") == 0) {
            inside = true;
            continue;
        }
        if (strcmp(line, "<!-- options table: end -->") == 0)
            break;
        if (!inside || strncmp(line, "| `STRATA_", 10) != 0)
            continue;
        assert_true(row < CRT_OPTION_COUNT);
        char expected[1024];
        table_row(&crt_option_table[row], expected, sizeof expected);
        assert_string_equal(line, expected);
        row++;
    }
    fclose(file);
    assert_int_equal(row, CRT_OPTION_COUNT);
}
#endif

int main(int argc, char **argv)
{
    int code = child_dispatch(argc, argv, scenarios);
    if (code >= 0)
        return code;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_boolean_words),
        cmocka_unit_test(test_enum_int_and_string_values),
        cmocka_unit_test(test_malformed_values_warn_and_keep_the_default),
        cmocka_unit_test(test_too_long_string_warns),
        cmocka_unit_test(test_unknown_variable_warns_with_the_valid_names),
        cmocka_unit_test(test_options_list_and_precedence),
        cmocka_unit_test(test_options_list_errors),
        cmocka_unit_test(test_verbose_lists_the_options_in_force),
        cmocka_unit_test(test_find_is_case_insensitive),
#if defined(STRATA_OPTIONS_DOC)
        cmocka_unit_test(test_docs_table_matches_the_code),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
