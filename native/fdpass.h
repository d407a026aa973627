// native/fdpass.h — fds over a Unix socket (SCM_RIGHTS), which Node's own
// sockets cannot send or receive.
#pragma once

#include <napi.h>

Napi::Value SocketPair(const Napi::CallbackInfo& info);
Napi::Value SendFds(const Napi::CallbackInfo& info);
Napi::Value RecvFds(const Napi::CallbackInfo& info);
