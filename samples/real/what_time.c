// Print the current date and time (UTC).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        printf("cannot read the clock: %s\n", strerror(errno));
        return 1;
    }
    char text[64];
    time_t seconds = now.tv_sec;
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", gmtime(&seconds));
    printf("It is %s\n", text);
    return 0;
}
