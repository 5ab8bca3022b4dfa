// List /data, then try three ways out of it: "../", an absolute host path,
// and a symbolic link inside /data that points outside (escape_link, made by
// the host). Each attempt prints what happened.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void try_read(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("blocked %s: %s\n", path, strerror(errno));
        return;
    }
    char line[128] = {0};
    fgets(line, sizeof line, f);
    printf("ESCAPED through %s: %s\n", path, line);
    fclose(f);
}

int main(void) {
    DIR *dir = opendir("/data");
    if (!dir) {
        printf("cannot list /data: %s\n", strerror(errno));
        return 1;
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] != '.') printf("/data/%s\n", entry->d_name);
    }
    closedir(dir);
    try_read("/data/../secret.txt");
    try_read("/etc/passwd");
    try_read("/data/escape_link");
    return 0;
}
