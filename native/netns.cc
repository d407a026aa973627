// native/netns.cc — namespace syscalls (setns/unshare only on throwaway threads) and sockets made inside.
#include "netns.h"
#include "throwaway.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

static int OpenCloexec(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : fd;
}

// 0 if fd is a network namespace file, -EINVAL if it is another kind of file
// or namespace, -errno if the ioctl fails otherwise.
static int CheckNetNamespace(int fd) {
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) return errno == ENOTTY ? -EINVAL : -errno;
  return type == CLONE_NEWNET ? 0 : -EINVAL;
}

int SocketInNamespace(int nsFd, int domain, int type, int protocol) {
  auto make = [=]() {
    int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    return fd < 0 ? -errno : fd;
  };
  return InNetworkNamespace(nsFd, make);
}

// mkdir -p path, mode 0755.
static int MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++) {
    if (i < path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (mkdir(prefix.c_str(), 0755) < 0 && errno != EEXIST) return -errno;
  }
  return 0;
}

// A namespace file name: one path component, not "." or "..".
static bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

static bool ValidPath(const std::string& path) {
  return !path.empty() && path.find('\0') == std::string::npos;
}

// The mount part of `ip netns add` (iproute2 ip/ipnetns.c netns_add).
static int MountNamespace(const std::string& runDir, const std::string& name, int nsFd) {
  if (!ValidPath(runDir) || !ValidName(name)) return -EINVAL;
  int err = CheckNetNamespace(nsFd);
  if (err < 0) return err;
  err = MakeDirs(runDir);
  if (err < 0) return err;

  // Make runDir a shared mount point so that unmounting a namespace here
  // unmounts it in every mount namespace that sees it.
  bool madeMountPoint = false;
  while (mount("", runDir.c_str(), "none", MS_SHARED | MS_REC, nullptr) < 0) {
    if (errno != EINVAL || madeMountPoint) return -errno;
    if (mount(runDir.c_str(), runDir.c_str(), "none", MS_BIND | MS_REC, nullptr) < 0) return -errno;
    madeMountPoint = true;
  }

  std::string path = runDir + "/" + name;
  int fd = OpenCloexec(path.c_str(), O_RDONLY | O_CREAT | O_EXCL, 0);
  if (fd < 0) return fd;
  close(fd);

  std::string source = "/proc/self/fd/" + std::to_string(nsFd);
  if (mount(source.c_str(), path.c_str(), "none", MS_BIND, nullptr) < 0) {
    err = -errno;
    unlink(path.c_str());
    return err;
  }
  return 0;
}

// `ip netns delete`: detach the bind mount, then remove the file.
static int UnmountNamespace(const std::string& runDir, const std::string& name) {
  if (!ValidPath(runDir) || !ValidName(name)) return -EINVAL;
  std::string path = runDir + "/" + name;
  // EINVAL: not a mount point; ENOENT: unlink reports it.
  if (umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) return -errno;
  if (unlink(path.c_str()) < 0) return -errno;
  return 0;
}

static Napi::Value ThrowTypeError(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

static bool IsNumberArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber();
}

static bool IsStringArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsString();
}

static int IntArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Int32Value();
}

static std::string StringArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  int result = OnThrowawayThread([]() {
    if (unshare(CLONE_NEWNET) < 0) return -errno;
    return OpenCloexec("/proc/thread-self/ns/net", O_RDONLY);
  });
  return Napi::Number::New(info.Env(), result);
}

Napi::Value NetnsOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsStringArg(info, 0)) return ThrowTypeError(env, "netnsOpen: path must be a string");
  std::string path = StringArg(info, 0);
  if (!ValidPath(path)) return Napi::Number::New(env, -EINVAL);
  // O_NONBLOCK so that a FIFO at path cannot block the JS thread; nsfs ignores it.
  int fd = OpenCloexec(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Napi::Number::New(env, fd);
  int err = CheckNetNamespace(fd);
  if (err < 0) {
    close(fd);
    return Napi::Number::New(env, err);
  }
  return Napi::Number::New(env, fd);
}

Napi::Value NetnsIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsNumberArg(info, 0)) return ThrowTypeError(env, "netnsIdentity: fd must be a number");
  struct stat st;
  Napi::Array identity = Napi::Array::New(env, 2);
  if (fstat(IntArg(info, 0), &st) < 0) {
    identity.Set(0u, Napi::Number::New(env, -errno));
    identity.Set(1u, Napi::Number::New(env, 0));
  } else {
    identity.Set(0u, Napi::Number::New(env, static_cast<double>(st.st_dev)));
    identity.Set(1u, Napi::Number::New(env, static_cast<double>(st.st_ino)));
  }
  return identity;
}

Napi::Value NetnsMount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsStringArg(info, 0)) return ThrowTypeError(env, "netnsMount: runDir must be a string");
  if (!IsStringArg(info, 1)) return ThrowTypeError(env, "netnsMount: name must be a string");
  if (!IsNumberArg(info, 2)) return ThrowTypeError(env, "netnsMount: nsFd must be a number");
  return Napi::Number::New(env, MountNamespace(StringArg(info, 0), StringArg(info, 1), IntArg(info, 2)));
}

Napi::Value NetnsUnmount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsStringArg(info, 0)) return ThrowTypeError(env, "netnsUnmount: runDir must be a string");
  if (!IsStringArg(info, 1)) return ThrowTypeError(env, "netnsUnmount: name must be a string");
  return Napi::Number::New(env, UnmountNamespace(StringArg(info, 0), StringArg(info, 1)));
}

Napi::Value SocketIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const names[] = {"nsFd", "domain", "type", "protocol"};
  for (size_t i = 0; i < 4; i++) {
    if (!IsNumberArg(info, i)) {
      std::string message = std::string("socketIn: ") + names[i] + " must be a number";
      return ThrowTypeError(env, message.c_str());
    }
  }
  int fd = SocketInNamespace(IntArg(info, 0), IntArg(info, 1), IntArg(info, 2), IntArg(info, 3));
  return Napi::Number::New(env, fd);
}

// bind(fd, address text, port): an IPv4 or IPv6 literal (no zone: an interface
// name would be looked up in this thread's namespace, not the socket's).
static int BindText(int fd, const std::string& address, int port) {
  if (port < 0 || port > 65535) return -EINVAL;
  sockaddr_storage storage = {};
  socklen_t length;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v6;
  } else {
    return -EINVAL;
  }
  int type = 0;
  socklen_t typeLength = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLength) < 0) return -errno;
  if (type == SOCK_STREAM) {  // as Node's own servers do
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) return -errno;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) < 0) return -errno;
  return 0;
}

Napi::Value SocketBind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsNumberArg(info, 0)) return ThrowTypeError(env, "socketBind: fd must be a number");
  if (!IsStringArg(info, 1)) return ThrowTypeError(env, "socketBind: address must be a string");
  if (!IsNumberArg(info, 2)) return ThrowTypeError(env, "socketBind: port must be a number");
  std::string address = StringArg(info, 1);
  if (!ValidPath(address)) return Napi::Number::New(env, -EINVAL);
  return Napi::Number::New(env, BindText(IntArg(info, 0), address, IntArg(info, 2)));
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!IsNumberArg(info, 0)) return ThrowTypeError(env, "closeFd: fd must be a number");
  // Linux releases the fd even when close() fails with EINTR: never retry it.
  if (close(IntArg(info, 0)) < 0 && errno != EINTR) return Napi::Number::New(env, -errno);
  return Napi::Number::New(env, 0);
}
