/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/programs/dlopen_user.c — loads plugin.so again and again;
 * frees what the plugin allocated, has the plugin free what it allocated;
 * prints a fixed summary.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    size_t total = 0;
    for (int round = 0; round < 50; round++) {
        void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        char *(*make)(size_t) = (char *(*)(size_t))dlsym(library, "plugin_make");
        void (*take)(char *) = (void (*)(char *))dlsym(library, "plugin_take");
        size_t (*kept_length)(void) = (size_t(*)(void))dlsym(library, "plugin_kept_length");
        if (make == NULL || take == NULL || kept_length == NULL)
            return 1;
        char *from_plugin = make((size_t)round * 100 + 1);
        total += strlen(from_plugin) + kept_length();
        free(from_plugin);
        char *from_here = malloc(1000);
        memset(from_here, 'h', 1000);
        take(from_here);
        if (dlclose(library) != 0)
            return 1;
    }
    printf("loaded and unloaded 50 times; %zu bytes checked\n", total);
    return 0;
}
