// native/tun.cc — persistent tun/tap devices made through /dev/net/tun inside a namespace.
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>

namespace {

struct TunJob {
  int nsFd;
  std::string name;
  int flags;
  long owner;
  long group;
  int result;
};

// The device is created in the namespace of the task that opens
// /dev/net/tun (tun_chr_open takes current->nsproxy->net_ns), so the open and
// the ioctls run on a thread that entered nsFd and then exits.
void* MakeTun(void* arg) {
  auto* job = static_cast<TunJob*>(arg);
  if (job->nsFd != -1 && setns(job->nsFd, CLONE_NEWNET) < 0) {
    job->result = -errno;
    return nullptr;
  }
  int fd;
  do {
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    job->result = -errno;
    return nullptr;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, job->name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = static_cast<short>(job->flags);
  int err = 0;
  // <linux/if_tun.h>: TUNSETIFF creates the device; TUNSETOWNER/TUNSETGROUP
  // take a uid/gid value (not a pointer); TUNSETPERSIST keeps it after close.
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) err = -errno;
  if (err == 0 && job->owner >= 0 && ioctl(fd, TUNSETOWNER, job->owner) < 0) err = -errno;
  if (err == 0 && job->group >= 0 && ioctl(fd, TUNSETGROUP, job->group) < 0) err = -errno;
  if (err == 0 && ioctl(fd, TUNSETPERSIST, 1L) < 0) err = -errno;
  // On failure after TUNSETIFF the device is not persistent yet, so closing
  // the fd removes it again: nothing is left behind.
  close(fd);
  job->result = err;
  return nullptr;
}

}  // namespace

int CreatePersistentTun(int nsFd, const std::string& name, int flags, long owner, long group) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('\0') != std::string::npos) return -EINVAL;
  TunJob job{nsFd, name, flags, owner, group, -EINTR};
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  int err = pthread_create(&thread, nullptr, MakeTun, &job);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) return -err;
  pthread_join(thread, nullptr);
  return job.result;
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
