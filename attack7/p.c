/* A library whose constructor writes who loaded it (uid, euid, pid, command line) to /tmp/root-ran. */
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void ran(void) {
    char cmd[256] = {0};
    FILE *c = fopen("/proc/self/cmdline", "r");
    size_t n = c ? fread(cmd, 1, sizeof cmd - 1, c) : 0;
    if (c) fclose(c);
    for (size_t i = 0; i < n; i++) if (!cmd[i]) cmd[i] = ' ';
    FILE *f = fopen("/tmp/root-ran", "a");
    if (f) { fprintf(f, "uid=%d euid=%d pid=%d %s\n", getuid(), geteuid(), getpid(), cmd); fclose(f); }
}

/* An OpenSSL 3 provider that offers nothing and says it started: the program that loaded it goes on. */
struct dispatch { int id; void (*fn)(void); };
static const struct dispatch none[] = {{0, 0}};
int OSSL_provider_init(const void *handle, const void *in, const void **out, void **ctx) {
    (void)handle; (void)in;
    *out = none;
    *ctx = 0;
    return 1;
}
