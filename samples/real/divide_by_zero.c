// Divides by zero two calls below main: with -g the trap names this file and
// line in every frame.
#include <stdio.h>
#include <stdlib.h>

static int share(int total, int people) {
    return total / people;
}

__attribute__((noinline)) int split_bill(int total, int people) {
    int each = share(total, people);
    return each + 1;
}

int main(int argc, char **argv) {
    int people = argc - 1; /* no arguments: nobody to share with */
    printf("splitting 100 between %d people\n", people);
    fflush(stdout);
    printf("each pays %d\n", split_bill(100, people));
    return 0;
}
