// native/netns.h — namespace primitives (create/open/identify/mount/unmount) and socketIn/socketBind/closeFd.
#pragma once

#include <napi.h>

// socket(domain, type, protocol) made inside the network namespace nsFd by a
// thread created for this one call and joined before returning; nsFd = -1 means
// the caller's namespace (no thread). Returns the fd or -errno.
int SocketInNamespace(int nsFd, int domain, int type, int protocol);

Napi::Value NetnsCreate(const Napi::CallbackInfo& info);
Napi::Value NetnsOpen(const Napi::CallbackInfo& info);
Napi::Value NetnsIdentity(const Napi::CallbackInfo& info);
Napi::Value NetnsMount(const Napi::CallbackInfo& info);
Napi::Value NetnsUnmount(const Napi::CallbackInfo& info);
Napi::Value SocketIn(const Napi::CallbackInfo& info);
Napi::Value SocketBind(const Napi::CallbackInfo& info);
Napi::Value CloseFd(const Napi::CallbackInfo& info);
