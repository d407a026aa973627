// native/socket.cc — netlink socket: open, sendmsg(iovec), uv_poll + bounded recv (or read-ahead on a pool thread), pause/resume, ref/unref, close.
#include "socket.h"

#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "blocks.h"
#include "netns.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef NETLINK_LISTEN_ALL_NSID
#define NETLINK_LISTEN_ALL_NSID 8
#endif

static constexpr int kMaxDatagramsPerWakeup = 64;
static constexpr size_t kArenaSize = 1 << 20;
static constexpr size_t kMinDatagramRoom = 64 << 10;

struct NetlinkWatcher {
  uv_poll_t handle;
  int fd = -1;
  napi_env env = nullptr;
  NetlinkSocket* owner = nullptr;  // cleared by CloseWatcher
  // Makes Node wait, when the env is torn down (a worker ends), until the
  // close callback has run: after that the addon may be unloaded.
  napi_async_cleanup_hook_handle teardownHook = nullptr;
  bool closing = false;  // close() was called; the close callback will free this
  bool jsGone = false;   // the env can no longer run JS: deliver nothing more
  bool paused = false;   // pause(): not polling, so the kernel's dump waits for us
  int jsDepth = 0;       // > 0 while a JS callback runs
  Napi::FunctionReference onData;
  Napi::FunctionReference onError;
  std::unique_ptr<Napi::AsyncContext> context;
  std::vector<uint8_t> arena;              // reused across wake-ups; allocated by Target() when first needed
  // start(onData, onError, shared): a Buffer owned by JS that each wake-up's
  // datagrams are read into; onData then gets only their length, and JS copies
  // what it keeps. Used while it has room for two datagrams, else `arena` (and
  // onData gets a Buffer copy, as without it).
  Napi::Reference<Napi::Buffer<uint8_t>> shared;
  size_t datagramRoom = kMinDatagramRoom;  // room required before each recv; grows on truncation
  // setListenAllNsid(true): datagrams are read with recvmsg and a control
  // buffer, and onData gets a second argument, an Int32Array of (offset,
  // nsid) pairs, one per datagram of the chunk (nsid -1: no nsid cmsg).
  bool listenAllNsid = false;
  std::vector<int32_t> origins;  // the pairs of the chunk being read
  // setReadAhead(true): wake-ups are read on a libuv pool thread, and while
  // JS handles one burst of datagrams the next is already being read (see
  // "Read-ahead" below). Never with listenAllNsid.
  bool readAhead = false;
  bool working = false;  // a burst is being read on the pool thread
  uv_work_t work;
  struct Burst {
    Block* block = nullptr;  // taken before the burst is read; JS's once delivered
    size_t used = 0;
    int error = 0;           // -errno that ended the burst (not EAGAIN); 0: none
    size_t truncatedTo = 0;  // the real length of a datagram cut by MSG_TRUNC
  } bursts[2];
  int filling = 0;                // the burst the pool thread fills next
  Burst* held = nullptr;          // read, then paused before delivery: delivered on resume
};

// ---- socket setup (any thread: none of it depends on the namespace) ----

static int SetInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) < 0 ? -errno : 0;
}

// SO_*BUFFORCE needs CAP_NET_ADMIN; without it fall back to the capped option.
static int SetBuffer(int fd, int forceName, int name, int size) {
  if (size == 0) return 0;
  if (SetInt(fd, SOL_SOCKET, forceName, size) == 0) return 0;
  return SetInt(fd, SOL_SOCKET, name, size);
}

static int ConfigureNetlink(int fd, int protocol, int rcvbuf, int sndbuf) {
  int flags[] = {NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK};
  for (int flag : flags) {
    if (flag == NETLINK_GET_STRICT_CHK && protocol != NETLINK_ROUTE) continue;
    int err = SetInt(fd, SOL_NETLINK, flag, 1);
    if (err < 0 && err != -ENOPROTOOPT) return err;
  }
  int err = SetBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
  if (err < 0) return err;
  err = SetBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
  if (err < 0) return err;
  sockaddr_nl local = {};
  local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns the port id
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) return -errno;
  return 0;
}

// ---- receiving (libuv callbacks: nothing may escape them) ----

// After a failed N-API call: an exception pending in the env (thrown by the
// callback, or an allocation failure) becomes an uncaughtException, as Node
// does for its own callbacks; no exception means JS cannot run any more (the
// env is being torn down): stop polling, the teardown hook closes the socket.
// These calls use the C API: node-addon-api without C++ exceptions aborts the
// process when it cannot rethrow a failure.
static void AfterFailedCall(NetlinkWatcher* w) {
  bool pending = false;
  napi_is_exception_pending(w->env, &pending);
  if (pending) {
    napi_value error;
    napi_get_and_clear_last_exception(w->env, &error);
    napi_fatal_exception(w->env, error);
    return;
  }
  w->jsGone = true;
  uv_poll_stop(&w->handle);
}

// Calls fn(args) as a top-level callback: microtasks and nextTicks run after it.
static void CallJs(NetlinkWatcher* w, Napi::FunctionReference& fn, size_t argc, const napi_value* argv) {
  if (w->closing || w->jsGone || fn.IsEmpty()) return;
  napi_value global, result;
  napi_get_global(w->env, &global);
  w->jsDepth++;
  napi_status status = napi_make_callback(w->env, *w->context, global, fn.Value(), argc, argv, &result);
  w->jsDepth--;
  if (status != napi_ok) AfterFailedCall(w);
}

static void EmitError(NetlinkWatcher* w, int err) {
  napi_value value;
  if (napi_create_int32(w->env, err, &value) != napi_ok) return AfterFailedCall(w);
  CallJs(w, w->onError, 1, &value);
}

// Where this wake-up reads: the shared JS Buffer if it has room for two
// datagrams, else the native arena.
struct ReadTarget {
  uint8_t* data;
  size_t size;
  bool shared;
};

static ReadTarget Target(NetlinkWatcher* w) {
  if (!w->shared.IsEmpty()) {
    void* data = nullptr;
    size_t size = 0;
    if (napi_get_buffer_info(w->env, w->shared.Value(), &data, &size) == napi_ok && size >= 2 * w->datagramRoom) {
      return {static_cast<uint8_t*>(data), size, true};
    }
  }
  // Allocated on first use: with a shared Buffer it is only the fallback, and
  // zero-filling 1 MiB for every socket cost ~0.4 ms per namespace set up.
  if (w->arena.size() < kArenaSize) w->arena.resize(kArenaSize);
  return {w->arena.data(), w->arena.size(), false};
}

// A copy of the (offset, nsid) pairs as an Int32Array.
static napi_status OriginsArray(NetlinkWatcher* w, napi_value* result) {
  size_t bytes = w->origins.size() * sizeof(int32_t);
  void* data = nullptr;
  napi_value buffer;
  napi_status status = napi_create_arraybuffer(w->env, bytes, &data, &buffer);
  if (status != napi_ok) return status;
  if (bytes > 0) std::copy(w->origins.begin(), w->origins.end(), static_cast<int32_t*>(data));
  return napi_create_typedarray(w->env, napi_int32_array, w->origins.size(), buffer, 0, result);
}

static void EmitData(NetlinkWatcher* w, const ReadTarget& t, size_t length) {
  if (length == 0 || w->closing || w->jsGone) {
    w->origins.clear();
    return;
  }
  napi_value args[2];
  napi_status status = t.shared
      ? napi_create_uint32(w->env, static_cast<uint32_t>(length), &args[0])
      : napi_create_buffer_copy(w->env, length, t.data, nullptr, &args[0]);
  if (status == napi_ok && w->listenAllNsid) status = OriginsArray(w, &args[1]);
  w->origins.clear();
  if (status != napi_ok) return AfterFailedCall(w);
  CallJs(w, w->onData, w->listenAllNsid ? 2 : 1, args);
}

// One datagram into data[0, room): recvfrom, or with listenAllNsid recvmsg
// with a control buffer; *nsid is the NETLINK_LISTEN_ALL_NSID cmsg's value,
// or -1 when there is none. The kernel adds that cmsg only for a datagram from
// another namespace that has an nsid in this socket's namespace (or from this
// namespace, if it has an nsid for itself): netlink_cmsg_listen_all_nsid and
// do_one_broadcast in net/netlink/af_netlink.c.
static ssize_t ReceiveOne(NetlinkWatcher* w, uint8_t* data, size_t room, sockaddr_nl* from, int32_t* nsid) {
  *nsid = -1;
  if (!w->listenAllNsid) {
    socklen_t fromLength = sizeof *from;
    return recvfrom(w->fd, data, room, MSG_DONTWAIT | MSG_TRUNC, reinterpret_cast<sockaddr*>(from), &fromLength);
  }
  alignas(cmsghdr) char control[2 * CMSG_SPACE(sizeof(int))];
  iovec iov = {data, room};
  msghdr message = {};
  message.msg_name = from;
  message.msg_namelen = sizeof *from;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n = recvmsg(w->fd, &message, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) return n;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int value;
      std::memcpy(&value, CMSG_DATA(c), sizeof value);
      *nsid = value;
    }
  }
  return n;
}

// Reads at most kMaxDatagramsPerWakeup datagrams into the arena (or the shared
// Buffer) and hands them to onData as one chunk. Errors are delivered in order
// with the data: what was read before an error goes out first.
static void ReadDatagrams(NetlinkWatcher* w) {
  ReadTarget t = Target(w);
  size_t used = 0;
  for (int i = 0; i < kMaxDatagramsPerWakeup && !w->closing && !w->jsGone && !w->paused; i++) {
    size_t room = t.size - used;
    if (room < w->datagramRoom) break;
    sockaddr_nl from = {};
    int32_t nsid;
    ssize_t n = ReceiveOne(w, t.data + used, room, &from, &nsid);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      int err = -errno;
      EmitData(w, t, used);
      used = 0;
      EmitError(w, err);
      if (err == -ENOBUFS) continue;  // messages were dropped; the socket still works
      break;
    }
    if (from.nl_pid != 0) continue;  // only the kernel (port 0) may talk to us
    size_t length = static_cast<size_t>(n);
    if (length > room) {  // MSG_TRUNC returned the real length: the datagram was cut
      EmitData(w, t, used);
      used = 0;
      EmitError(w, -EMSGSIZE);
      w->datagramRoom = NLMSG_ALIGN(length);
      if (w->arena.size() < 2 * w->datagramRoom) w->arena.resize(2 * w->datagramRoom);
      t = Target(w);
      continue;
    }
    // Kernel datagrams are whole, aligned messages; pad anyway so the
    // concatenation always parses as one stream.
    size_t aligned = NLMSG_ALIGN(length);
    std::fill(t.data + used + length, t.data + used + aligned, 0);
    if (w->listenAllNsid) {
      w->origins.push_back(static_cast<int32_t>(used));
      w->origins.push_back(nsid);
    }
    used += aligned;
  }
  EmitData(w, t, used);
}

// Drops the JS callbacks and the async context. Never while one of them runs:
// close() called from inside onData defers this to the end of OnPoll.
static void ReleaseJs(NetlinkWatcher* w) {
  if (w->jsDepth > 0) return;
  w->onData.Reset();
  w->onError.Reset();
  w->shared.Reset();
  w->context.reset();
}

static void OnPoll(uv_poll_t* handle, int status, int /*events*/);
static void OnClosed(uv_handle_t* handle);

// Polls unless paused, closing, or a burst is being read ahead.
static int Poll(NetlinkWatcher* w) {
  if (w->paused || w->working || w->closing || w->jsGone) return 0;
  return uv_poll_start(&w->handle, UV_READABLE, OnPoll);
}

// ---- Read-ahead ----
// A netlink dump makes its next datagram inside the reader's recvmsg
// (netlink_recvmsg → netlink_dump), so the kernel's work and the reader's
// alternate on one thread. With read-ahead, a pool thread reads the next
// burst (recv until EAGAIN or the buffer is full; never blocking) while the
// main thread hands the previous one to JS: on two cores the kernel builds
// a dump while JS decodes it. Each burst reaches JS as a new Buffer.

static void ReadBurst(uv_work_t* req) {  // pool thread: touches only its burst and the fd
  auto* w = static_cast<NetlinkWatcher*>(req->data);
  NetlinkWatcher::Burst& b = w->bursts[w->filling];
  uint8_t* data = b.block->data;
  b.used = 0;
  b.error = 0;
  b.truncatedTo = 0;
  for (int i = 0; i < kMaxDatagramsPerWakeup; i++) {
    size_t room = b.block->size - b.used;
    if (room < w->datagramRoom) break;
    sockaddr_nl from = {};
    socklen_t fromLength = sizeof from;
    ssize_t n = recvfrom(w->fd, data + b.used, room, MSG_DONTWAIT | MSG_TRUNC,
                         reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) b.error = -errno;
      break;
    }
    if (from.nl_pid != 0) continue;  // only the kernel (port 0) may talk to us
    size_t length = static_cast<size_t>(n);
    if (length > room) {
      b.truncatedTo = length;
      break;
    }
    size_t aligned = NLMSG_ALIGN(length);
    std::fill(data + b.used + length, data + b.used + aligned, 0);
    b.used += aligned;
  }
}

static void AfterBurst(uv_work_t* req, int status);

static void StartBurst(NetlinkWatcher* w) {
  NetlinkWatcher::Burst& b = w->bursts[w->filling];
  size_t need = std::max(kArenaSize, 2 * w->datagramRoom);
  if (b.block != nullptr && b.block->size < need) {
    GiveBackBlock(b.block);
    b.block = nullptr;
  }
  if (b.block == nullptr) b.block = TakeBlock(need);
  if (b.block == nullptr) {  // out of memory: read on the main thread instead
    w->readAhead = false;
    Poll(w);
    return;
  }
  w->working = true;
  w->work.data = w;
  if (uv_queue_work(w->handle.loop, &w->work, ReadBurst, AfterBurst) != 0) {
    w->working = false;  // cannot happen with a valid loop; read inline instead
    w->readAhead = false;
    Poll(w);
  }
}

static void DeliverBurst(NetlinkWatcher* w, NetlinkWatcher::Burst& b) {
  if (b.used > 0 && !w->closing && !w->jsGone) {
    // A big burst (a dump's) is handed over as it is; a small one is copied,
    // so that a short reply does not hold a whole block until a GC.
    napi_value chunk;
    napi_status status;
    if (b.used >= b.block->size / 2) {
      status = BlockBuffer(w->env, b.block, b.used, &chunk);
      b.block = nullptr;  // the Buffer owns it now
    } else {
      status = napi_create_buffer_copy(w->env, b.used, b.block->data, nullptr, &chunk);
    }
    if (status != napi_ok) return AfterFailedCall(w);
    CallJs(w, w->onData, 1, &chunk);
  }
  if (b.truncatedTo > 0) EmitError(w, -EMSGSIZE);
  if (b.error != 0) EmitError(w, b.error);
}

// Hands over a burst read earlier, after starting the next one if asked to.
static void ContinueBurst(NetlinkWatcher* w, NetlinkWatcher::Burst& b) {
  // A cut datagram: the next bursts leave room for it (set before the pool
  // thread reads datagramRoom again).
  if (b.truncatedTo > 0) w->datagramRoom = NLMSG_ALIGN(b.truncatedTo);
  w->filling ^= 1;
  if (w->readAhead && !w->listenAllNsid) StartBurst(w);
  DeliverBurst(w, b);
  if (!w->working) Poll(w);  // read-ahead was switched off (or JS paused)
}

// Main thread, after a burst: start the next one first (the kernel goes on
// with the dump meanwhile), then hand this one to JS. An empty burst ends
// the chain: polling resumes.
static void OnBurst(NetlinkWatcher* w) {
  w->working = false;
  if (w->closing) {
    uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);
    return;
  }
  if (w->jsGone) return;
  NetlinkWatcher::Burst& b = w->bursts[w->filling];
  bool read = b.used > 0 || b.error != 0 || b.truncatedTo > 0;
  if (!read) {
    Poll(w);
    return;
  }
  if (w->paused) {
    w->held = &b;  // delivered by resume()
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(w->env, &scope) != napi_ok) return;
  ContinueBurst(w, b);
  if (w->closing) ReleaseJs(w);
  napi_close_handle_scope(w->env, scope);
}

static void AfterBurst(uv_work_t* req, int /*status: never cancelled*/) {
  OnBurst(static_cast<NetlinkWatcher*>(req->data));
}

static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* w = static_cast<NetlinkWatcher*>(handle->data);
  if (w->jsGone) return;
  if (status >= 0 && w->readAhead && !w->listenAllNsid && !w->working) {
    uv_poll_stop(&w->handle);
    StartBurst(w);
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(w->env, &scope) != napi_ok) return;
  if (status < 0) {
    // libuv reports any EPOLLERR as UV_EBADF and stops the handle. Netlink
    // raises EPOLLERR for a pending socket error, typically ENOBUFS after an
    // overrun: read (and clear) the real error, resume polling, keep reading.
    int err = 0;
    socklen_t length = sizeof err;
    if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) {
      EmitError(w, -errno);  // the fd itself is bad: polling stays stopped
    } else {
      int rc = Poll(w);
      if (err != 0) EmitError(w, -err);
      if (rc < 0) EmitError(w, rc);
      if (rc == 0) ReadDatagrams(w);
    }
  } else {
    ReadDatagrams(w);
  }
  if (w->closing) ReleaseJs(w);
  napi_close_handle_scope(w->env, scope);
}

static void OnClosed(uv_handle_t* handle) {
  auto* w = static_cast<NetlinkWatcher*>(handle->data);
  for (auto& b : w->bursts) GiveBackBlock(b.block);
  close(w->fd);
  if (w->teardownHook) napi_remove_async_cleanup_hook(w->teardownHook);
  delete w;
}

// The env is going away (process exit, worker end) with this socket open.
static void OnEnvTeardown(napi_async_cleanup_hook_handle /*hook*/, void* arg) {
  auto* w = static_cast<NetlinkWatcher*>(arg);
  if (w->owner) w->owner->CloseWatcher();  // else close() already ran; OnClosed is pending
}

// ---- JS-facing ----

static Napi::Value ThrowTypeError(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

static bool IsNumberArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber();
}

static int IntArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Int32Value();
}

Napi::Value NetlinkOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const names[] = {"nsFd", "protocol", "rcvbuf", "sndbuf"};
  for (size_t i = 0; i < 4; i++) {
    if (!IsNumberArg(info, i)) {
      std::string message = std::string("netlinkOpen: ") + names[i] + " must be a number";
      return ThrowTypeError(env, message.c_str());
    }
  }
  int protocol = IntArg(info, 1);
  int fd = SocketInNamespace(IntArg(info, 0), AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, protocol);
  if (fd < 0) return Napi::Number::New(env, fd);
  int err = ConfigureNetlink(fd, protocol, IntArg(info, 2), IntArg(info, 3));
  if (err < 0) {
    close(fd);
    return Napi::Number::New(env, err);
  }
  return Napi::Number::New(env, fd);
}

Napi::Function NetlinkSocket::Init(Napi::Env env) {
  return DefineClass(env, "NetlinkSocket",
                     {
                         InstanceAccessor<&NetlinkSocket::GetFd>("fd"),
                         InstanceAccessor<&NetlinkSocket::GetPortId>("portId"),
                         InstanceMethod<&NetlinkSocket::Send>("send"),
                         InstanceMethod<&NetlinkSocket::Start>("start"),
                         InstanceMethod<&NetlinkSocket::RefHandle>("ref"),
                         InstanceMethod<&NetlinkSocket::UnrefHandle>("unref"),
                         InstanceMethod<&NetlinkSocket::Pause>("pause"),
                         InstanceMethod<&NetlinkSocket::Resume>("resume"),
                         InstanceMethod<&NetlinkSocket::SetReadAhead>("setReadAhead"),
                         InstanceMethod<&NetlinkSocket::Close>("close"),
                         InstanceMethod<&NetlinkSocket::AddMembership>("addMembership"),
                         InstanceMethod<&NetlinkSocket::DropMembership>("dropMembership"),
                         InstanceMethod<&NetlinkSocket::SetIntOption>("setIntOption"),
                         InstanceMethod<&NetlinkSocket::SetListenAllNsid>("setListenAllNsid"),
                     });
}

// new NetlinkSocket(fd): takes ownership of fd on success. If it throws, the
// fd stays the caller's.
NetlinkSocket::NetlinkSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkSocket>(info) {
  Napi::Env env = info.Env();
  if (!IsNumberArg(info, 0)) {
    ThrowTypeError(env, "NetlinkSocket: fd must be a number");
    return;
  }
  int fd = IntArg(info, 0);
  sockaddr_nl local = {};
  socklen_t length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) < 0 || local.nl_family != AF_NETLINK) {
    Napi::Error::New(env, "NetlinkSocket: fd " + std::to_string(fd) + " is not a netlink socket")
        .ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  auto* w = new NetlinkWatcher();
  int err = loop ? uv_poll_init(loop, &w->handle, fd) : UV_EINVAL;
  if (err < 0) {
    delete w;
    Napi::Error::New(env, std::string("NetlinkSocket: uv_poll_init: ") + uv_strerror(err))
        .ThrowAsJavaScriptException();
    return;
  }
  w->handle.data = w;
  w->fd = fd;
  w->env = env;
  w->owner = this;
  napi_add_async_cleanup_hook(env, OnEnvTeardown, w, &w->teardownHook);
  watcher_ = w;
  portId_ = local.nl_pid;
}

// The GC finalizer: close what the user did not.
NetlinkSocket::~NetlinkSocket() { CloseWatcher(); }

void NetlinkSocket::CloseWatcher() {
  NetlinkWatcher* w = watcher_;
  if (w == nullptr) return;
  watcher_ = nullptr;
  w->owner = nullptr;
  w->closing = true;
  // JS references go now, while the env is certainly alive (or at the end of
  // OnPoll if a callback is running); the fd and the memory go in the close
  // callback, after libuv is done with the handle.
  ReleaseJs(w);
  uv_poll_stop(&w->handle);
  // A burst being read uses the fd and the watcher: OnBurst closes after it.
  if (!w->working) uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);
}

Napi::Value NetlinkSocket::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), watcher_ ? watcher_->fd : -1);
}

Napi::Value NetlinkSocket::GetPortId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), portId_);
}

Napi::Value NetlinkSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) return ThrowTypeError(env, "send: buffers must be an array of Buffers");
  Napi::Array buffers = info[0].As<Napi::Array>();
  uint32_t count = buffers.Length();
  if (count > IOV_MAX) return Napi::Number::New(env, -EMSGSIZE);
  std::vector<iovec> iov(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value item = buffers.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();
    if (!item.IsBuffer()) return ThrowTypeError(env, "send: buffers must be an array of Buffers");
    Napi::Buffer<uint8_t> buffer = item.As<Napi::Buffer<uint8_t>>();
    iov[i].iov_base = buffer.Data();
    iov[i].iov_len = buffer.Length();
  }
  if (watcher_ == nullptr) return Napi::Number::New(env, -EBADF);
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  msghdr message = {};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = iov.data();
  message.msg_iovlen = count;
  ssize_t n;
  do {
    n = sendmsg(watcher_->fd, &message, 0);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n < 0 ? -errno : static_cast<double>(n));
}

Napi::Value NetlinkSocket::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) return ThrowTypeError(env, "start: onData must be a function");
  if (info.Length() < 2 || !info[1].IsFunction()) return ThrowTypeError(env, "start: onError must be a function");
  NetlinkWatcher* w = watcher_;
  if (w == nullptr) {
    Napi::Error::New(env, "start: the socket is closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool shared = info.Length() >= 3 && !info[2].IsUndefined();
  if (shared && !info[2].IsBuffer()) return ThrowTypeError(env, "start: the shared receive buffer must be a Buffer");
  w->onData = Napi::Persistent(info[0].As<Napi::Function>());
  w->onError = Napi::Persistent(info[1].As<Napi::Function>());
  if (shared) w->shared = Napi::Persistent(info[2].As<Napi::Buffer<uint8_t>>());
  if (!w->context) w->context = std::make_unique<Napi::AsyncContext>(env, "rtnetlink:NetlinkSocket");
  int err = Poll(w);
  if (err < 0) {
    Napi::Error::New(env, std::string("start: uv_poll_start: ") + uv_strerror(err)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Value NetlinkSocket::RefHandle(const Napi::CallbackInfo& info) {
  if (watcher_) uv_ref(reinterpret_cast<uv_handle_t*>(&watcher_->handle));
  return info.Env().Undefined();
}

Napi::Value NetlinkSocket::UnrefHandle(const Napi::CallbackInfo& info) {
  if (watcher_) uv_unref(reinterpret_cast<uv_handle_t*>(&watcher_->handle));
  return info.Env().Undefined();
}

// Back-pressure. A netlink dump is paced by its reader: the kernel produces the
// next datagram only from recvmsg(), once the receive queue is at most half
// full (net/netlink/af_netlink.c, netlink_recvmsg → netlink_dump). Not polling
// therefore stops the kernel too, and memory stays bounded on both sides.
// Pausing also holds back ACKs and notifications; they wait in the receive
// buffer. Called from inside onData, the current wake-up stops reading at once.
Napi::Value NetlinkSocket::Pause(const Napi::CallbackInfo& info) {
  NetlinkWatcher* w = watcher_;
  if (w && !w->paused) {
    w->paused = true;
    uv_poll_stop(&w->handle);
  }
  return info.Env().Undefined();
}

// Polling again; 0 or a negative libuv error. Data queued meanwhile makes the
// fd readable, so the next loop iteration delivers it.
Napi::Value NetlinkSocket::Resume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NetlinkWatcher* w = watcher_;
  if (w == nullptr || !w->paused) return Napi::Number::New(env, 0);
  w->paused = false;
  if (w->onData.IsEmpty() || w->jsGone) return Napi::Number::New(env, 0);  // start() not called yet
  if (w->held != nullptr) {
    // A burst read ahead before pause(): delivered from the loop, as polling
    // would (not from inside this call). The held burst is still the one
    // `filling` names, so OnBurst finds it as if it had just been read.
    w->working = true;
    w->work.data = w;
    int err = uv_queue_work(w->handle.loop, &w->work, [](uv_work_t*) {}, AfterBurst);
    if (err == 0) w->held = nullptr;
    else w->working = false;  // the burst stays held; resume() may be tried again
    if (err != 0) w->paused = true;
    return Napi::Number::New(env, err);
  }
  return Napi::Number::New(env, Poll(w));
}

// On: wake-ups are read on a pool thread, the next while JS handles the last
// ("Read-ahead"). For big dumps; small replies would pay a thread hop each.
Napi::Value NetlinkSocket::SetReadAhead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBoolean()) return ThrowTypeError(env, "setReadAhead: expected a boolean");
  if (watcher_) watcher_->readAhead = info[0].As<Napi::Boolean>().Value();
  return env.Undefined();
}

Napi::Value NetlinkSocket::Close(const Napi::CallbackInfo& info) {
  CloseWatcher();
  return info.Env().Undefined();
}

static Napi::Value Membership(const Napi::CallbackInfo& info, int fd, int option, const char* what) {
  Napi::Env env = info.Env();
  if (!IsNumberArg(info, 0)) {
    std::string message = std::string(what) + ": group must be a number";
    return ThrowTypeError(env, message.c_str());
  }
  if (fd < 0) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, SetInt(fd, SOL_NETLINK, option, IntArg(info, 0)));
}

Napi::Value NetlinkSocket::AddMembership(const Napi::CallbackInfo& info) {
  return Membership(info, watcher_ ? watcher_->fd : -1, NETLINK_ADD_MEMBERSHIP, "addMembership");
}

Napi::Value NetlinkSocket::DropMembership(const Napi::CallbackInfo& info) {
  return Membership(info, watcher_ ? watcher_->fd : -1, NETLINK_DROP_MEMBERSHIP, "dropMembership");
}

Napi::Value NetlinkSocket::SetIntOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const names[] = {"level", "name", "value"};
  for (size_t i = 0; i < 3; i++) {
    if (!IsNumberArg(info, i)) {
      std::string message = std::string("setIntOption: ") + names[i] + " must be a number";
      return ThrowTypeError(env, message.c_str());
    }
  }
  if (watcher_ == nullptr) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, SetInt(watcher_->fd, IntArg(info, 0), IntArg(info, 1), IntArg(info, 2)));
}

// setListenAllNsid(on): NETLINK_LISTEN_ALL_NSID on the socket (man 7 netlink)
// and the receive mode that reports each datagram's nsid. 0 or -errno; on
// failure the mode is unchanged.
Napi::Value NetlinkSocket::SetListenAllNsid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBoolean()) return ThrowTypeError(env, "setListenAllNsid: on must be a boolean");
  if (watcher_ == nullptr) return Napi::Number::New(env, -EBADF);
  bool on = info[0].As<Napi::Boolean>().Value();
  int err = SetInt(watcher_->fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, on ? 1 : 0);
  if (err == 0) watcher_->listenAllNsid = on;
  return Napi::Number::New(env, err);
}
