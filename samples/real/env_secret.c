// Print HOME and SECRET as the guest sees them: unset unless granted.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const char *names[] = {"HOME", "SECRET"};
    int missing = 0;
    for (int i = 0; i < 2; i++) {
        const char *value = getenv(names[i]);
        if (value) {
            printf("%s=%s\n", names[i], value);
        } else {
            printf("%s is not set\n", names[i]);
            missing++;
        }
    }
    return missing ? 1 : 0;
}
