// native/openin.cc — openIn: open(2) a path from a throwaway thread that has
// entered a network namespace, so per-namespace files (/proc/sys/net/...)
// resolve to that namespace's copy.
//
// Why a thread and not the caller: a /proc/sys/net entry is looked up in the
// sysctl set of the *opening* task's network namespace (fs/proc/proc_sysctl.c
// proc_sys_lookup → lookup_header_set → net/sysctl_net.c net_ctl_header_lookup,
// which returns &current->nsproxy->net_ns->sysctls; cached dentries of another
// namespace are not reused because proc_sys_compare → sysctl_is_seen →
// net_ctl_is_seen compares that same set). The open file keeps the table it
// was opened on: reading or writing the fd later, from any thread, acts on
// that namespace.
#include "openin.h"
#include "throwaway.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

static int OpenInNamespace(int nsFd, const std::string& path, int flags) {
  return InNetworkNamespace(nsFd, [&]() {
    int fd;
    do {
      fd = open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY);
    } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
  });
}

// openIn(nsFd, path, flags) → fd (O_CLOEXEC added) or -errno.
Napi::Value OpenIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "openIn(nsFd: number, path: string, flags: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int nsFd = info[0].As<Napi::Number>().Int32Value();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  if (path.empty() || path.find('\0') != std::string::npos || nsFd < 0) return Napi::Number::New(env, -EINVAL);
  return Napi::Number::New(env, OpenInNamespace(nsFd, path, flags));
}
