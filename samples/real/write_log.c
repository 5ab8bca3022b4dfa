// Append a line to /data/log.txt: refused on a read-only mount.
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *f = fopen("/data/log.txt", "a");
    if (!f) {
        printf("cannot open /data/log.txt for writing: %s\n", strerror(errno));
        return 1;
    }
    fprintf(f, "written by wasm\n");
    fclose(f);
    printf("appended a line to /data/log.txt\n");
    return 0;
}
