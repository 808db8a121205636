/* A tiny getaddrinfo / res_search / getnameinfo client: the real libc in `podnet lab check` dns flows
 * and the libc fidelity test (test/dns/libc.real.test.ts).
 * Build with gcc (glibc) or musl-gcc; the binary is built into a temp dir, never committed.
 *   gai getaddrinfo NAME unspec|inet
 *   gai res_search NAME srv
 *   gai getnameinfo IPV4
 * Prints "OK ..." or "ERR <code>" and the elapsed milliseconds. */
#define _GNU_SOURCE /* glibc declares EAI_NODATA only with it */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static long ms_since(struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char *eai(int e) {
  switch (e) {
  case EAI_NONAME: return "EAI_NONAME";
#ifdef EAI_NODATA
  case EAI_NODATA: return "EAI_NODATA";
#endif
  case EAI_AGAIN: return "EAI_AGAIN";
  case EAI_FAIL: return "EAI_FAIL";
  default: return "EAI_OTHER";
  }
}

int main(int argc, char **argv) {
  struct timespec t0;
  if (argc < 3) return 2;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (!strcmp(argv[1], "getaddrinfo")) {
    struct addrinfo hints, *res, *p;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = (argc > 3 && !strcmp(argv[3], "inet")) ? AF_INET : AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_CANONNAME;
    int e = getaddrinfo(argv[2], NULL, &hints, &res);
    long ms = ms_since(&t0);
    if (e) { printf("ERR %s %ld\n", eai(e), ms); return 1; }
    printf("OK");
    for (p = res; p; p = p->ai_next) {
      char buf[64];
      void *a = p->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr : (void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
      inet_ntop(p->ai_family, a, buf, sizeof buf);
      printf(" %s", buf);
    }
    printf(" %ld\n", ms);
    freeaddrinfo(res);
    return 0;
  }
  if (!strcmp(argv[1], "res_search")) {
    unsigned char ans[4096];
    int n = res_search(argv[2], C_IN, 33 /* SRV */, ans, sizeof ans);
    long ms = ms_since(&t0);
    if (n < 0) { printf("ERR h_errno=%d %ld\n", h_errno, ms); return 1; }
    printf("OK ancount=%d %ld\n", (ans[6] << 8) | ans[7], ms);
    return 0;
  }
  if (!strcmp(argv[1], "getnameinfo")) {
    struct sockaddr_in sa;
    char host[256];
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, argv[2], &sa.sin_addr);
    int e = getnameinfo((struct sockaddr *)&sa, sizeof sa, host, sizeof host, NULL, 0, NI_NAMEREQD);
    long ms = ms_since(&t0);
    if (e) { printf("ERR %s %ld\n", eai(e), ms); return 1; }
    printf("OK %s %ld\n", host, ms);
    return 0;
  }
  return 2;
}
