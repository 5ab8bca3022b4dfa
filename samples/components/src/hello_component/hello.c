// hello_component: a WASI preview1 C program that build.sh wraps into a WASI 0.2
// command component. It greets, lists its arguments, prints $GREETING if set,
// and prints hello.txt from the current directory or a preopened directory.
// Without a filesystem grant it says so on stderr and exits 1. (A WASI 0.2
// command can only report success or failure: wasi:cli/exit takes a
// result<_, _>, so the adapter turns any nonzero status into 1.)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("Hello from a WASI 0.2 component (C, wasi-libc, preview1 adapter)!\n");
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("  argv[%d] = %s\n", i, argv[i]);
    }

    const char *greeting = getenv("GREETING");
    if (greeting) {
        printf("GREETING = %s\n", greeting);
    } else {
        printf("GREETING is not set\n");
    }

    // "hello.txt" is found through a preopen mounted as "." (--dir DIR or
    // --dir DIR::.), "/data/hello.txt" through one mounted as /data.
    const char *candidates[] = {"hello.txt", "/data/hello.txt"};
    FILE *f = NULL;
    const char *opened = NULL;
    int err = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        f = fopen(candidates[i], "r");
        if (f) {
            opened = candidates[i];
            break;
        }
        if (!err || errno != ENOENT) err = errno;
    }
    if (!f) {
        fprintf(stderr,
                "cannot open hello.txt: %s\n"
                "grant a directory that holds it, e.g. --dir samples/data::/data\n",
                strerror(err));
        return 1;
    }

    printf("--- %s ---\n", opened);
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    fclose(f);
    printf("--- end ---\n");
    return 0;
}
