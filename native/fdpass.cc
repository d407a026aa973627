// native/fdpass.cc — socketPair/sendFds/recvFds: datagrams with fds attached
// (unix(7) SCM_RIGHTS) on an AF_UNIX SOCK_SEQPACKET pair. lib/rootless.ts talks
// to its helper process (native/userns-helper.c) through them. The fds are
// plain blocking fds; recvFds waits at most timeoutMs with poll(2) first.
#include "fdpass.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace {
constexpr int kMaxFds = 16;
}

// socketPair(): [fd0, fd1], both O_CLOEXEC (spawn's stdio dup2 clears it on the
// child's copy), or [-errno, -1].
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  Napi::Array out = Napi::Array::New(env, 2);
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
    out.Set(0u, Napi::Number::New(env, -errno));
    out.Set(1u, Napi::Number::New(env, -1));
    return out;
  }
  out.Set(0u, Napi::Number::New(env, fds[0]));
  out.Set(1u, Napi::Number::New(env, fds[1]));
  return out;
}

// sendFds(fd, data: Buffer, fds: number[]): one sendmsg with the fds attached. Bytes sent or -errno.
Napi::Value SendFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsBuffer() || !info[2].IsArray()) {
    Napi::TypeError::New(env, "sendFds(fd, data: Buffer, fds: number[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto data = info[1].As<Napi::Buffer<uint8_t>>();
  auto list = info[2].As<Napi::Array>();
  if (list.Length() > static_cast<uint32_t>(kMaxFds)) return Napi::Number::New(env, -EINVAL);
  std::vector<int> fds;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsNumber()) return Napi::Number::New(env, -EINVAL);
    fds.push_back(v.As<Napi::Number>().Int32Value());
  }
  struct iovec iov = {data.Data(), data.Length()};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(kMaxFds * sizeof(int))];
  if (!fds.empty()) {
    memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n < 0 ? -errno : n);
}

// recvFds(fd, maxBytes, timeoutMs): { data: Buffer, fds: number[] } or -errno
// (-ETIMEDOUT when nothing came in time). Received fds are O_CLOEXEC
// (MSG_CMSG_CLOEXEC). A truncated datagram or control part closes whatever
// fds came and returns -EMSGSIZE. End of file: data of length 0.
Napi::Value RecvFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "recvFds(fd, maxBytes, timeoutMs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t maxBytes = info[1].As<Napi::Number>().Int64Value();
  int timeout = info[2].As<Napi::Number>().Int32Value();
  if (maxBytes <= 0 || maxBytes > (1 << 20)) return Napi::Number::New(env, -EINVAL);

  struct pollfd p = {fd, POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, timeout);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return Napi::Number::New(env, -errno);
  if (r == 0) return Napi::Number::New(env, -ETIMEDOUT);

  std::vector<uint8_t> buf(static_cast<size_t>(maxBytes));
  struct iovec iov = {buf.data(), buf.size()};
  alignas(struct cmsghdr) char control[CMSG_SPACE(kMaxFds * sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Napi::Number::New(env, -errno);

  std::vector<int> fds;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int got;
      memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
      fds.push_back(got);
    }
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (int f : fds) close(f);
    return Napi::Number::New(env, -EMSGSIZE);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<uint8_t>::Copy(env, buf.data(), static_cast<size_t>(n)));
  Napi::Array list = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
  out.Set("fds", list);
  return out;
}
