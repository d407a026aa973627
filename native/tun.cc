// native/tun.cc — persistent tun/tap devices made through /dev/net/tun inside a namespace.
#include "tun.h"
#include "throwaway.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>

// The device is created in the namespace of the task that opens
// /dev/net/tun (tun_chr_open takes current->nsproxy->net_ns), so the open and
// the ioctls run on a thread that entered nsFd and then exits.
static int MakeTun(const std::string& name, int flags, long owner, long group) {
  int fd;
  do {
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return -errno;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = static_cast<short>(flags);
  int err = 0;
  // <linux/if_tun.h>: TUNSETIFF creates the device; TUNSETOWNER/TUNSETGROUP
  // take a uid/gid value (not a pointer); TUNSETPERSIST keeps it after close.
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) err = -errno;
  if (err == 0 && owner >= 0 && ioctl(fd, TUNSETOWNER, owner) < 0) err = -errno;
  if (err == 0 && group >= 0 && ioctl(fd, TUNSETGROUP, group) < 0) err = -errno;
  if (err == 0 && ioctl(fd, TUNSETPERSIST, 1L) < 0) err = -errno;
  // On failure after TUNSETIFF the device is not persistent yet, so closing
  // the fd removes it again: nothing is left behind.
  close(fd);
  return err;
}

int CreatePersistentTun(int nsFd, const std::string& name, int flags, long owner, long group) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('\0') != std::string::npos) return -EINVAL;
  return InNetworkNamespace(nsFd, [&]() { return MakeTun(name, flags, owner, group); });
}

Napi::Value TunCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  static const char* const names[] = {"nsFd", "name", "flags", "owner", "group"};
  for (size_t i = 0; i < 5; i++) {
    bool ok = info.Length() > i && (i == 1 ? info[i].IsString() : info[i].IsNumber());
    if (!ok) {
      std::string message = std::string("tunCreate: ") + names[i] + (i == 1 ? " must be a string" : " must be a number");
      Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  int result = CreatePersistentTun(
      info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::String>().Utf8Value(),
      info[2].As<Napi::Number>().Int32Value(), static_cast<long>(info[3].As<Napi::Number>().Int64Value()),
      static_cast<long>(info[4].As<Napi::Number>().Int64Value()));
  return Napi::Number::New(env, result);
}
