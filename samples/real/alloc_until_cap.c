// Allocate 1 MiB at a time until malloc fails, then say how far it got.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t mib = 0;
    // Blocks are chained together and so kept: the compiler may not drop them.
    void *head = NULL;
    for (;;) {
        char *block = malloc(1 << 20);
        if (!block) break;
        memset(block, 1, 1 << 20);
        *(void **)block = head;
        head = block;
        mib++;
        if (mib % 16 == 0) printf("allocated %zu MiB\n", mib);
        if (mib == 1024) break;
    }
    printf("malloc failed after %zu MiB\n", mib);
    size_t kept = 0;
    for (void *block = head; block; block = *(void **)block) kept++;
    return kept == 1024 ? 0 : 1;
}
