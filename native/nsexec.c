/* native/nsexec.c — the exec shim behind Namespace.spawn (a program of its
 * own, not part of the addon). Node's child_process.spawn starts it with the
 * namespace fd and an error channel inherited at the fd numbers named on its
 * command line; it enters the namespace and execs the real command, so the
 * ChildProcess, its stdio and its pid are Node's own.
 *
 *   nsexec NSFD ERRFD MOUNTS UID GID NAME FILE ARGV0 [ARGS...]
 *
 * MOUNTS = 1 does what iproute2's `ip netns exec` does (ip/ipnetns.c
 * netns_switch + bind_etc): a private mount namespace whose mounts do not
 * propagate back (MS_SLAVE|MS_REC on /), a fresh sysfs on /sys that describes
 * the network namespace, and every /etc/netns/NAME/X bind-mounted over /etc/X.
 * UID/GID (-1: unchanged) are applied after entering, since setns needs
 * CAP_SYS_ADMIN (as libuv does: setgroups(0), setgid, setuid).
 *
 * Failures are written to ERRFD as "STAGE ERRNO\n" before exiting 127; a
 * successful exec closes ERRFD (FD_CLOEXEC), which the parent sees as EOF.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int errfd = -1;

static void fail(const char* stage, int err) {
  char line[64];
  int n = snprintf(line, sizeof line, "%s %d\n", stage, err);
  if (errfd >= 0 && n > 0) {
    ssize_t w;
    do {
      w = write(errfd, line, (size_t)n);
    } while (w < 0 && errno == EINTR);
  }
  _exit(127);
}

static int parse_int(const char* s, int* out) {
  char* end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < INT_MIN || v > INT_MAX) return -1;
  *out = (int)v;
  return 0;
}

/* iproute2 bind_etc: failures are warnings, as there. */
static void bind_etc(const char* name) {
  char dir_path[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
  if (snprintf(dir_path, sizeof dir_path, "/etc/netns/%s", name) >= (int)sizeof dir_path) return;
  DIR* dir = opendir(dir_path);
  if (!dir) return;
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    if (snprintf(from, sizeof from, "%s/%s", dir_path, entry->d_name) >= (int)sizeof from) continue;
    if (snprintf(to, sizeof to, "/etc/%s", entry->d_name) >= (int)sizeof to) continue;
    if (mount(from, to, "none", MS_BIND, NULL) < 0) {
      dprintf(2, "Bind %s -> %s failed: %s\n", from, to, strerror(errno));
    }
  }
  closedir(dir);
}

/* iproute2 netns_switch, after the setns. */
static void private_mounts(const char* name) {
  if (unshare(CLONE_NEWNS) < 0) fail("unshare", errno);
  if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) fail("mount", errno);
  unsigned long flags = 0;
  struct statvfs st;
  /* If /sys cannot be unmounted it is overlaid; a read-only one only by a read-only one. */
  if (umount2("/sys", MNT_DETACH) < 0 && statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY)) flags = MS_RDONLY;
  if (mount(*name ? name : "sysfs", "/sys", "sysfs", flags, NULL) < 0) fail("mount", errno);
  if (*name) bind_etc(name);
}

int main(int argc, char** argv) {
  int nsfd, mounts, uid, gid;
  if (argc < 9 || parse_int(argv[2], &errfd) < 0 || parse_int(argv[1], &nsfd) < 0 ||
      parse_int(argv[3], &mounts) < 0 || parse_int(argv[4], &uid) < 0 || parse_int(argv[5], &gid) < 0) {
    dprintf(2, "usage: %s NSFD ERRFD MOUNTS UID GID NAME FILE ARGV0 [ARGS...]\n", argv[0]);
    return 127;
  }
  if (fcntl(errfd, F_SETFD, FD_CLOEXEC) < 0) errfd = -1;
  if (setns(nsfd, CLONE_NEWNET) < 0) fail("setns", errno);
  close(nsfd);
  if (mounts) private_mounts(argv[6]);
  if (uid >= 0 || gid >= 0) {
    (void)setgroups(0, NULL); /* optimistic, as libuv: fails unless privileged */
    if (gid >= 0 && setgid((gid_t)gid) < 0) fail("setgid", errno);
    if (uid >= 0 && setuid((uid_t)uid) < 0) fail("setuid", errno);
  }
  const char* file = argv[7];
  char** args = argv + 8; /* args[0] is ARGV0 */
  execvp(file, args);
  fail("exec", errno);
  return 127;
}
