/*
 * Stub SLURM client for the benchmark (sacctmgr, sacct, scancel are symlinks to one binary).
 * It does no work: it appends one line "<CLOCK_REALTIME ns> <program> <args...>" to the file named by
 * BENCH_STUB_LOG (one write() on an O_APPEND descriptor, so lines of concurrent runs never mix), prints
 * nothing and exits 0. Empty output is what sacctmgr prints for an account that does not exist, and rc 0
 * is success for the adds and modifies, so a Create order runs to completion.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const char *path = getenv("BENCH_STUB_LOG");
    if (path == NULL || *path == '\0') {
        return 0;
    }
    char line[4096];
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    int n = snprintf(line, sizeof line, "%lld %s", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec, prog);
    for (int i = 1; i < argc && n < (int) sizeof line - 2; i++) {
        n += snprintf(line + n, sizeof line - n, " %s", argv[i]);
    }
    if (n > (int) sizeof line - 2) {
        n = sizeof line - 2;
    }
    line[n++] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        return 0;
    }
    ssize_t w = write(fd, line, (size_t) n);
    (void) w;
    close(fd);
    return 0;
}
