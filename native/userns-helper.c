/* native/userns-helper.c — the helper behind Namespace.createRootless (lib/rootless.ts),
 * a program of its own, not part of the addon.
 *
 * An unprivileged process cannot make a network namespace, but it can make a
 * user namespace and, inside it, a network namespace that the user namespace
 * owns. unshare(CLONE_NEWUSER) is refused in a multi-threaded process
 * (unshare(2): EINVAL) and Node always is one, so this single-threaded child
 * does it, then opens what the parent asks for inside and hands the fds back
 * over a SOCK_SEQPACKET Unix socket with SCM_RIGHTS (unix(7)).
 *
 *   userns-helper CHANNELFD
 *
 * Start: unshare(CLONE_NEWUSER|CLONE_NEWNET); the caller's uid and gid map to 0
 * inside (user_namespaces(7): "deny" to /proc/self/setgroups first, or gid_map
 * is refused); a NETLINK_ROUTE socket and /proc/self/ns/net are opened. First
 * message: struct reply { result = 0 } with those two fds, or { -errno, stage }.
 *
 * Then one request per datagram, struct request, each answered by one reply
 * carrying the new fd when result >= 0:
 *   OP_NETLINK  a = protocol, b = rcvbuf, c = sndbuf: as native netlinkOpen
 *   OP_SOCKET   socket(a, b, c)
 *   OP_OPEN     open(path, a | O_CLOEXEC)  (/proc/sys/net/... resolves here)
 * End of file on the channel (the parent closed it, or died): exit 0.
 * The namespaces outlive this process for as long as the parent holds fds in them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

enum { OP_NETLINK = 1, OP_SOCKET = 2, OP_OPEN = 3 };

struct request {
  int op, a, b, c;
  char path[4096];
};

struct reply {
  int result;      /* >= 0: one fd attached; < 0: -errno */
  char stage[28];  /* what failed */
};

static int channel;

static void send_reply(int result, const char *stage, const int *fds, int nfds) {
  struct reply r;
  memset(&r, 0, sizeof r);
  r.result = result;
  if (stage) snprintf(r.stage, sizeof r.stage, "%s", stage);
  struct iovec iov = { &r, sizeof r };
  union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr align; } control;
  struct msghdr msg = { 0 };
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds > 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
  }
  while (sendmsg(channel, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int err = n < 0 ? -errno : 0;
  close(fd);
  return err;
}

/* As native/socket.cc netlinkOpen: the FORCE buffer options need CAP_NET_ADMIN
 * in the initial user namespace, so here they fall back to the capped ones. */
static int netlink_open(int protocol, int rcvbuf, int sndbuf) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  if (protocol == NETLINK_ROUTE) setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  return fd;
}

static int start(void) {
  char map[64];
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) return send_reply(-errno, "unshare", NULL, 0), -1;
  int err = write_file("/proc/self/setgroups", "deny");
  if (err < 0 && err != -ENOENT) return send_reply(err, "setgroups", NULL, 0), -1;
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
  if ((err = write_file("/proc/self/uid_map", map)) < 0) return send_reply(err, "uid_map", NULL, 0), -1;
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
  if ((err = write_file("/proc/self/gid_map", map)) < 0) return send_reply(err, "gid_map", NULL, 0), -1;
  int fds[2];
  fds[0] = netlink_open(NETLINK_ROUTE, 0, 0);
  if (fds[0] < 0) return send_reply(fds[0], "netlink", NULL, 0), -1;
  fds[1] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fds[1] < 0) return send_reply(-errno, "open ns/net", NULL, 0), -1;
  send_reply(0, NULL, fds, 2);
  close(fds[0]);
  close(fds[1]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: userns-helper CHANNELFD\n");
    return 2;
  }
  channel = atoi(argv[1]);
  if (start() < 0) return 1;
  for (;;) {
    struct request q;
    ssize_t n = recv(channel, &q, sizeof q, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    if ((size_t)n < offsetof(struct request, path)) {
      send_reply(-EINVAL, "request", NULL, 0);
      continue;
    }
    int fd;
    switch (q.op) {
      case OP_NETLINK: fd = netlink_open(q.a, q.b, q.c); break;
      case OP_SOCKET:
        fd = socket(q.a, q.b, q.c);
        if (fd < 0) fd = -errno;
        break;
      case OP_OPEN:
        q.path[sizeof q.path - 1] = 0;
        fd = open(q.path, q.a | O_CLOEXEC);
        if (fd < 0) fd = -errno;
        break;
      default: fd = -EINVAL;
    }
    if (fd < 0) {
      send_reply(fd, "request", NULL, 0);
    } else {
      send_reply(0, NULL, &fd, 1);
      close(fd);
    }
  }
}
