// native/tun.h — persistent tun/tap devices (TUNSETIFF/OWNER/GROUP/PERSIST) inside a namespace.
#pragma once

#include <napi.h>

#include <string>

// Opens /dev/net/tun on a throwaway thread inside nsFd (-1: the caller's
// namespace), creates `name` with IFF_* `flags`, sets owner/group when >= 0,
// makes it persistent and closes the fd. 0 or -errno.
int CreatePersistentTun(int nsFd, const std::string& name, int flags, long owner, long group);

// tunCreate(nsFd, name, flags, owner, group) -> 0 or -errno.
Napi::Value TunCreate(const Napi::CallbackInfo& info);
