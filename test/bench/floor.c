/*
 * The floor of the pssql benchmark: reads exactly the /proc files that pssql's Linux backend reads
 * for one capture with its default flags, and does nothing else. No parsing beyond finding the
 * next files (and counting lines for the entry counts); one buffer, reused; open/read/close,
 * readlink, readdir. Whatever pssql spends above this is its own cost.
 *
 *   floor [--kinds process,threads,fds,regions] [--details] [--repeat N] (PID | --all)
 *
 * process  /proc/PID/{stat,status,cmdline}, readlink /proc/PID/exe
 * threads  list /proc/PID/task; per TID: task/TID/{stat,status,syscall}
 * fds      list /proc/PID/fd; per fd: readlink fd/N, read fdinfo/N; if any fd is a socket,
 *          once: /proc/PID/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6,unix,netlink,packet}
 * regions  /proc/PID/maps (--details: /proc/PID/smaps)
 * --all    every process in /proc, one after the other.
 *
 * Prints one JSON line: entry counts of the last repetition, and the wall time of each kind per
 * repetition in ns ("net" is the part of "fds" spent on /proc/PID/net). Files that vanish while
 * being read (an exiting thread, a closed fd) are skipped, as pssql skips them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { K_PROCESS, K_THREADS, K_FDS, K_NET, K_REGIONS, K_TOTAL, K_COUNT };
static const char *kind_names[K_COUNT] = { "process", "threads", "fds", "net", "regions", "total" };

static char buf[256 * 1024];
static char path[512];
static struct { long processes, threads, fds, sockets, regions, files, bytes; } n;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads the whole file at `path`. Returns the number of lines (with `headers`: of lines that start
 * with a lowercase hex digit, which in smaps are the region headers), or -1 if it cannot be opened. */
static long read_file(int count, int headers) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long lines = 0;
  int at_start = 1;
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) > 0) {
    n.bytes += got;
    if (!count) continue;
    char *p = buf, *end = buf + got;
    while (p < end) {
      if (at_start && (!headers || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) lines++;
      char *nl = memchr(p, '\n', (size_t)(end - p));
      at_start = nl != NULL;
      p = nl ? nl + 1 : end;
    }
  }
  close(fd);
  n.files++;
  return lines;
}

static void read_link(void) {
  ssize_t got = readlink(path, buf, sizeof buf);
  if (got > 0) { n.bytes += got; n.files++; }
}

static void capture_process(int pid) {
  static const char *files[] = { "stat", "status", "cmdline" };
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "/proc/%d/%s", pid, files[i]);
    read_file(0, 0);
  }
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  read_link();
  n.processes++;
}

static void capture_threads(int pid) {
  static const char *files[] = { "stat", "status", "syscall" };
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    for (int i = 0; i < 3; i++) {
      snprintf(path, sizeof path, "/proc/%d/task/%s/%s", pid, e->d_name, files[i]);
      read_file(0, 0);
    }
    n.threads++;
  }
  closedir(d);
}

static void capture_net(int pid) {
  static const char *files[] = { "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6",
                                 "raw", "raw6", "unix", "netlink", "packet" };
  for (int i = 0; i < 11; i++) {
    snprintf(path, sizeof path, "/proc/%d/net/%s", pid, files[i]);
    read_file(0, 0);
  }
}

/* Returns the time spent on /proc/PID/net, which is part of the fds time. */
static int64_t capture_fds(int pid) {
  snprintf(path, sizeof path, "/proc/%d/fd", pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *e;
  int sockets = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/%d/fd/%s", pid, e->d_name);
    ssize_t got = readlink(path, buf, sizeof buf);
    if (got < 0) continue;
    n.bytes += got;
    n.files++;
    if (got > 7 && !memcmp(buf, "socket:", 7)) sockets++;
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%s", pid, e->d_name);
    read_file(0, 0);
    n.fds++;
  }
  closedir(d);
  n.sockets += sockets;
  if (!sockets) return 0;
  int64_t t0 = now_ns();
  capture_net(pid);
  return now_ns() - t0;
}

static void capture_regions(int pid, int details) {
  snprintf(path, sizeof path, "/proc/%d/%s", pid, details ? "smaps" : "maps");
  long lines = read_file(1, details);
  if (lines > 0) n.regions += lines;
}

static void usage(void) {
  fprintf(stderr, "usage: floor [--kinds process,threads,fds,regions] [--details] [--repeat N] (PID | --all)\n");
  exit(2);
}

int main(int argc, char **argv) {
  int pid = 0, all = 0, details = 0;
  long repeat = 1;
  int want[K_COUNT] = { 1, 1, 1, 1, 1, 1 };
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--all")) all = 1;
    else if (!strcmp(argv[i], "--details")) details = 1;
    else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = strtol(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--kinds") && i + 1 < argc) {
      const char *k = argv[++i];
      want[K_PROCESS] = !!strstr(k, "process");
      want[K_THREADS] = !!strstr(k, "threads");
      want[K_FDS] = want[K_NET] = !!strstr(k, "fds");
      want[K_REGIONS] = !!strstr(k, "regions");
    } else if (argv[i][0] >= '1' && argv[i][0] <= '9') pid = atoi(argv[i]);
    else usage();
  }
  if ((!pid && !all) || repeat < 1) usage();

  int64_t *ns = calloc((size_t)(repeat * K_COUNT), sizeof *ns);
  for (long r = 0; r < repeat; r++) {
    memset(&n, 0, sizeof n);
    int64_t *t = ns + r * K_COUNT;
    int64_t start = now_ns();
    DIR *proc = all ? opendir("/proc") : NULL;
    struct dirent *e = NULL;
    for (;;) {
      int p = pid;
      if (all) {
        if (!(e = readdir(proc))) break;
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        p = atoi(e->d_name);
      }
      int64_t t0 = now_ns();
      if (want[K_PROCESS]) capture_process(p);
      int64_t t1 = now_ns();
      if (want[K_THREADS]) capture_threads(p);
      int64_t t2 = now_ns();
      int64_t net = want[K_FDS] ? capture_fds(p) : 0;
      int64_t t3 = now_ns();
      if (want[K_REGIONS]) capture_regions(p, details);
      int64_t t4 = now_ns();
      t[K_PROCESS] += t1 - t0, t[K_THREADS] += t2 - t1, t[K_FDS] += t3 - t2, t[K_NET] += net;
      t[K_REGIONS] += t4 - t3;
      if (!all) break;
    }
    if (proc) closedir(proc);
    t[K_TOTAL] = now_ns() - start;
  }

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"tool\":\"floor\",\"pid\":%d,\"all\":%s,\"details\":%s,\"repeat\":%ld,", pid, all ? "true" : "false",
         details ? "true" : "false", repeat);
  printf("\"counts\":{\"processes\":%ld,\"threads\":%ld,\"fds\":%ld,\"sockets\":%ld,\"regions\":%ld,"
         "\"files\":%ld,\"bytes\":%ld},\"maxRssKb\":%ld,\"ns\":{",
         n.processes, n.threads, n.fds, n.sockets, n.regions, n.files, n.bytes, ru.ru_maxrss);
  int first = 1;
  for (int k = 0; k < K_COUNT; k++) {
    if (!want[k]) continue;
    printf("%s\"%s\":[", first ? "" : ",", kind_names[k]);
    for (long r = 0; r < repeat; r++) printf(r ? ",%lld" : "%lld", (long long)ns[r * K_COUNT + k]);
    printf("]");
    first = 0;
  }
  printf("}}\n");
  return 0;
}
