/* SPDX-License-Identifier: MIT */
/*
 * crt/options.c — reads the options of CRT_OPTIONS (options.h) from the
 * environment, once, without allocating: malloc may be what asks first.
 * Order: defaults, then STRATA_OPTIONS="name=value,...", then each
 * STRATA_<NAME> variable, so that a variable wins. A malformed value or
 * an unknown STRATA_* name gets one warning line and changes nothing.
 */
#include "options.h"
#include "internal.h"

#include <stdatomic.h>
#include <string.h>

const crt_option_info crt_option_table[CRT_OPTION_COUNT] = {
#define CRT_OPTION_INFO(id, name, type, fallback, choices, minimum, maximum, meaning) \
    {name, "STRATA_" #id, type, fallback, choices, minimum, maximum, meaning},
    CRT_OPTIONS(CRT_OPTION_INFO)
#undef CRT_OPTION_INFO
};

/* Variables strata reads that are not options of the allocator itself. */
static const char *const other_variables[] = {
    "STRATA_OPTIONS", /* the list form */
    "STRATA_LIBRARY", /* strata-run's library choice, inherited by the program */
    "STRATA_FUZZ_SEED", "STRATA_FUZZ_ITERATIONS", /* the fuzzer's (tests/fuzz), which runs on the crt */
};

#define BOOLEAN_WORDS "1/0/true/false/yes/no/on/off"

static long values[CRT_OPTION_COUNT];
static char strings[CRT_OPTION_COUNT][CRT_OPTION_STRING_MAX + 1];
static crt_option_source sources[CRT_OPTION_COUNT];
static atomic_int load_state; /* 0 not read, 1 being read, 2 read */

/* ---- small text helpers (no allocation, no locale) -------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same_word(const char *text, size_t length, const char *word)
{
    size_t i = 0;
    for (; i < length && word[i] != '\0'; i++) {
        if (lower(text[i]) != lower(word[i]))
            return false;
    }
    return i == length && word[i] == '\0';
}

/* 1 or 0 for a boolean word, -1 otherwise. */
static int boolean_word(const char *text, size_t length)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (same_word(text, length, yes[i]))
            return 1;
        if (same_word(text, length, no[i]))
            return 0;
    }
    return -1;
}

static bool parse_integer(const char *text, size_t length, long minimum, long maximum, long *out)
{
    size_t i = 0;
    bool negative = false;
    if (i < length && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    if (i == length)
        return false;
    long value = 0;
    for (; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        if (value > (maximum + 1L) / 10 + 1) /* far out of range: stop before it could overflow */
            return false;
        value = value * 10 + (text[i] - '0');
    }
    value = negative ? -value : value;
    if (value < minimum || value > maximum)
        return false;
    *out = value;
    return true;
}

/* The index of `text` among the comma-separated `choices`, or -1. */
static long choice_index(const char *choices, const char *text, size_t length)
{
    long index = 0;
    for (const char *at = choices;; index++) {
        const char *end = strchr(at, ',');
        size_t size = end != NULL ? (size_t)(end - at) : strlen(at);
        if (size == length) {
            size_t i = 0;
            while (i < length && lower(text[i]) == lower(at[i]))
                i++;
            if (i == length)
                return index;
        }
        if (end == NULL)
            return -1;
        at = end + 1;
    }
}

/* `length` bytes of `text` as a string (strata_format has no %.*s). */
static const char *cut(char *buffer, size_t capacity, const char *text, size_t length)
{
    if (length > capacity - 1)
        length = capacity - 1;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
    return buffer;
}

/* " a, b, c": every option's name (or its variable's), for a warning's
 * list of the valid ones. Returns the length written. */
static size_t append_names(char *out, size_t capacity, bool variables)
{
    size_t size = 0;
    for (int id = 0; id < CRT_OPTION_COUNT; id++)
        size += strata_format(out + size, capacity - size, "%s %s", id == 0 ? "" : ",",
                              variables ? crt_option_table[id].variable : crt_option_table[id].name);
    return size;
}

static void write_line(const char *text, size_t length)
{
    strata_write_error(text, length);
}

/* What a value of the option may be, for warnings. */
static size_t describe_expected(const crt_option_info *option, char *buffer, size_t capacity)
{
    switch (option->type) {
    case CRT_BOOL:
        return strata_format(buffer, capacity, "a boolean: " BOOLEAN_WORDS);
    case CRT_INT:
        return strata_format(buffer, capacity, "an integer from %d to %d", (int)option->minimum,
                             (int)option->maximum);
    case CRT_ENUM: {
        size_t length = strata_format(buffer, capacity, "one of ");
        for (const char *at = option->choices; *at != '\0' && length + 2 < capacity; at++)
            length += strata_format(buffer + length, capacity - length, *at == ',' ? ", " : "%c", *at);
        if (strncmp(option->choices, "0,1", 3) == 0)
            length += strata_format(buffer + length, capacity - length, " (0 and 1 also as " BOOLEAN_WORDS ")");
        return length;
    }
    case CRT_STRING:
    default:
        return strata_format(buffer, capacity, "at most %d bytes", CRT_OPTION_STRING_MAX);
    }
}

/* "strata: warning: WHERE: expected ...; using DEFAULT". */
static void warn_invalid(crt_option_id id, const char *where)
{
    const crt_option_info *option = &crt_option_table[id];
    char expected[160];
    describe_expected(option, expected, sizeof expected);
    char line[512];
    /* A string is quoted, so that an empty one still shows. */
    const char *quote = option->type == CRT_STRING ? "\"" : "";
    size_t length = strata_format(line, sizeof line, "strata: warning: %s: expected %s; using %s%s%s\n", where,
                                  expected, quote, strings[id], quote);
    write_line(line, length);
}

/* Stores `text` as the value of option `id`; false when it is malformed. */
static bool store(crt_option_id id, const char *text, size_t length, crt_option_source source)
{
    const crt_option_info *option = &crt_option_table[id];
    long value = 0;
    switch (option->type) {
    case CRT_BOOL: {
        int word = boolean_word(text, length);
        if (word < 0)
            return false;
        value = word;
        break;
    }
    case CRT_INT:
        if (!parse_integer(text, length, option->minimum, option->maximum, &value))
            return false;
        break;
    case CRT_ENUM:
        value = choice_index(option->choices, text, length);
        if (value < 0 && strncmp(option->choices, "0,1", 3) == 0)
            value = boolean_word(text, length);
        if (value < 0)
            return false;
        break;
    case CRT_STRING:
        if (length > CRT_OPTION_STRING_MAX)
            return false;
        break;
    }
    values[id] = value;
    size_t kept = length > CRT_OPTION_STRING_MAX ? CRT_OPTION_STRING_MAX : length;
    memcpy(strings[id], text, kept);
    strings[id][kept] = '\0';
    if (option->type == CRT_ENUM) { /* shown as the choice it chose, not the word given */
        const char *at = option->choices;
        for (long i = 0; i < value; i++)
            at = strchr(at, ',') + 1;
        const char *end = strchr(at, ',');
        kept = end != NULL ? (size_t)(end - at) : strlen(at);
        memcpy(strings[id], at, kept);
        strings[id][kept] = '\0';
    } else if (option->type == CRT_BOOL) {
        strings[id][0] = value ? '1' : '0';
        strings[id][1] = '\0';
    }
    sources[id] = source;
    return true;
}

static void set_defaults(void)
{
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        const char *fallback = crt_option_table[id].default_value;
        store((crt_option_id)id, fallback, strlen(fallback), CRT_FROM_DEFAULT);
    }
}

crt_option_id crt_option_find(const char *name, size_t length)
{
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        if (same_word(name, length, crt_option_table[id].name))
            return (crt_option_id)id;
    }
    return CRT_OPTION_COUNT;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* One "name=value" item of STRATA_OPTIONS, spaces around either part ignored. */
static void read_item(const char *item, size_t length)
{
    while (length > 0 && is_space(item[0])) {
        item++;
        length--;
    }
    while (length > 0 && is_space(item[length - 1]))
        length--;
    if (length == 0)
        return;
    char line[512], text[256];
    const char *equals = memchr(item, '=', length);
    if (equals == NULL) {
        size_t size = strata_format(line, sizeof line, "strata: warning: STRATA_OPTIONS item %s: expected name=value\n",
                                    cut(text, sizeof text, item, length));
        write_line(line, size);
        return;
    }
    size_t name_length = (size_t)(equals - item);
    while (name_length > 0 && is_space(item[name_length - 1]))
        name_length--;
    const char *value = equals + 1;
    size_t value_length = length - (size_t)(value - item);
    while (value_length > 0 && is_space(value[0])) {
        value++;
        value_length--;
    }
    crt_option_id id = crt_option_find(item, name_length);
    if (id == CRT_OPTION_COUNT) {
        size_t size = strata_format(line, sizeof line, "strata: warning: STRATA_OPTIONS item %s: unknown option; valid names:",
                                    cut(text, sizeof text, item, length));
        size += append_names(line + size, sizeof line - size, false);
        size += strata_format(line + size, sizeof line - size, "\n");
        write_line(line, size);
        return;
    }
    if (!store(id, value, value_length, CRT_FROM_OPTIONS)) {
        char where[300];
        strata_format(where, sizeof where, "STRATA_OPTIONS item %s", cut(text, sizeof text, item, length));
        warn_invalid(id, where);
    }
}

static void read_options_list(void)
{
    char list[1024];
    size_t length = 0;
    strata_status status = strata_env_get("STRATA_OPTIONS", list, sizeof list, &length);
    if (status == STRATA_E_BUFFER_TOO_SMALL) {
        char line[160];
        size_t size = strata_format(line, sizeof line,
                                    "strata: warning: STRATA_OPTIONS: expected at most %zu bytes; ignored\n",
                                    sizeof list - 1);
        write_line(line, size);
        return;
    }
    if (status != STRATA_OK)
        return;
    size_t start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i == length || list[i] == ',') {
            read_item(list + start, i - start);
            start = i + 1;
        }
    }
}

static void read_variables(void)
{
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        const crt_option_info *option = &crt_option_table[id];
        char value[CRT_OPTION_STRING_MAX + 1];
        size_t length = 0;
        strata_status status = strata_env_get(option->variable, value, sizeof value, &length);
        if (status == STRATA_E_NOT_FOUND || (status == STRATA_OK && length == 0 && option->type != CRT_STRING))
            continue; /* unset, or set empty: the default (or STRATA_OPTIONS') stands */
        char where[CRT_OPTION_STRING_MAX + 64];
        if (status == STRATA_E_BUFFER_TOO_SMALL) {
            strata_format(where, sizeof where, "%s (a value of %zu bytes)", option->variable, length);
            warn_invalid((crt_option_id)id, where);
            continue;
        }
        if (status != STRATA_OK || store((crt_option_id)id, value, length, CRT_FROM_VARIABLE))
            continue;
        strata_format(where, sizeof where, "%s=%s", option->variable, value);
        warn_invalid((crt_option_id)id, where);
    }
}

/* strata_env_each's visitor: warns about STRATA_* names that mean nothing. */
static void check_name(void *context, const char *entry, size_t length)
{
    (void)context;
    const char *equals = memchr(entry, '=', length);
    size_t name_length = equals != NULL ? (size_t)(equals - entry) : length;
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        const char *variable = crt_option_table[id].variable;
        if (strlen(variable) == name_length && memcmp(variable, entry, name_length) == 0)
            return;
    }
    for (size_t i = 0; i < sizeof other_variables / sizeof other_variables[0]; i++) {
        if (strlen(other_variables[i]) == name_length && memcmp(other_variables[i], entry, name_length) == 0)
            return;
    }
    char line[512], name[128];
    size_t size = strata_format(line, sizeof line, "strata: warning: unknown variable %s; valid names:",
                                cut(name, sizeof name, entry, name_length));
    size += append_names(line + size, sizeof line - size, true);
    size += strata_format(line + size, sizeof line - size, ", STRATA_OPTIONS\n");
    write_line(line, size);
}

static void print_options(void)
{
    static const char *const from[] = {"default", "STRATA_OPTIONS", "variable"};
    for (int id = 0; id < CRT_OPTION_COUNT; id++) {
        char line[CRT_OPTION_STRING_MAX + 96];
        size_t size = strata_format(line, sizeof line, "strata: option %s=%s (%s)\n", crt_option_table[id].name,
                                    strings[id], from[sources[id]]);
        write_line(line, size);
    }
}

static void read_all(void)
{
    set_defaults();
    read_options_list();
    read_variables();
    strata_env_each("STRATA_", check_name, NULL);
    if (values[CRT_OPTION_VERBOSE])
        print_options();
    /* The heap sits below the crt and reads no environment: hand it its setting. */
    strata_heap_set_purge_delay((int32_t)values[CRT_OPTION_PURGE_DELAY]);
}

void crt_options_load(void)
{
    if (atomic_load_explicit(&load_state, memory_order_acquire) == 2)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&load_state, &expected, 1)) {
        read_all();
        atomic_store_explicit(&load_state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&load_state, memory_order_acquire) != 2)
        strata_platform_sleep(0);
}

void crt_options_reload(void)
{
    atomic_store(&load_state, 0);
    crt_options_load();
}

long crt_option_int(crt_option_id id)
{
    crt_options_load();
    return (unsigned)id < CRT_OPTION_COUNT ? values[id] : 0;
}

const char *crt_option_string(crt_option_id id)
{
    crt_options_load();
    return (unsigned)id < CRT_OPTION_COUNT ? strings[id] : "";
}

crt_option_source crt_option_source_of(crt_option_id id)
{
    crt_options_load();
    return (unsigned)id < CRT_OPTION_COUNT ? sources[id] : CRT_FROM_DEFAULT;
}
