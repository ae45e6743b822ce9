/*
 * Stub SLURM client for the benchmark (sacctmgr, sacct, scancel are symlinks to one binary).
 * It does next to no work: it appends one line "<CLOCK_REALTIME ns> <program> <args...>" to the file named by
 * BENCH_STUB_LOG (one write() on an O_APPEND descriptor, so lines of concurrent runs never mix) and exits 0.
 *
 * Accounts: with BENCH_STUB_STATE naming a directory, `sacctmgr … add account <name> …` creates an empty file
 * <name> there and `sacctmgr … show account <a>,<b>,…` prints a "name|descr|org" row for each that exists,
 * as sacctmgr -P -n does, so the agent sees the customer and project accounts an earlier order added. Without
 * it (or for any other command) it prints nothing: what sacctmgr prints for an account that does not exist;
 * rc 0 is success for the adds and modifies, so a Create order runs to completion.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A name the agent would pass: the agent validates account names; anything else is never a file name here. */
static int plain_name(const char *s, size_t n) {
    if (n == 0 || n > 200) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static void accounts(const char *state, int argc, char **argv) {
    char path[512];
    for (int i = 1; i + 2 < argc; i++) {
        if (strcmp(argv[i + 1], "account") != 0) {
            continue;
        }
        const char *names = argv[i + 2];
        if (strcmp(argv[i], "add") == 0 && plain_name(names, strlen(names))) {
            snprintf(path, sizeof path, "%s/%s", state, names);
            int fd = open(path, O_WRONLY | O_CREAT, 0644);
            if (fd >= 0) {
                close(fd);
            }
            return;
        }
        if (strcmp(argv[i], "show") == 0) {
            for (const char *p = names; *p;) {
                size_t n = strcspn(p, ",");
                if (plain_name(p, n)) {
                    snprintf(path, sizeof path, "%s/%.*s", state, (int) n, p);
                    if (access(path, F_OK) == 0) {
                        printf("%.*s|%.*s|bench\n", (int) n, p, (int) n, p);
                    }
                }
                p += n;
                if (*p == ',') {
                    p++;
                }
            }
            return;
        }
    }
}

int main(int argc, char **argv) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    const char *state = getenv("BENCH_STUB_STATE");
    if (state != NULL && *state != '\0' && strcmp(prog, "sacctmgr") == 0) {
        accounts(state, argc, argv);
    }
    const char *path = getenv("BENCH_STUB_LOG");
    if (path == NULL || *path == '\0') {
        return 0;
    }
    char line[4096];
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
