// native/socket.h — netlinkOpen and the NetlinkSocket class (one fd, its uv_poll watcher).
#pragma once

#include <napi.h>

#include <cstdint>

struct NetlinkWatcher;  // fd + uv_poll_t + callbacks; freed by the uv_close callback

// netlinkOpen(nsFd, protocol, rcvbuf, sndbuf) -> fd or -errno.
Napi::Value NetlinkOpen(const Napi::CallbackInfo& info);

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit NetlinkSocket(const Napi::CallbackInfo& info);
  ~NetlinkSocket() override;

  // Stops polling, drops the JS callbacks, uv_closes the handle; the close
  // callback closes the fd and frees the watcher. Idempotent.
  void CloseWatcher();

 private:
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetPortId(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value SetReadAhead(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value AddMembership(const Napi::CallbackInfo& info);
  Napi::Value DropMembership(const Napi::CallbackInfo& info);
  Napi::Value SetIntOption(const Napi::CallbackInfo& info);
  Napi::Value SetListenAllNsid(const Napi::CallbackInfo& info);

  NetlinkWatcher* watcher_ = nullptr;  // null once closed (or if construction failed)
  uint32_t portId_ = 0;
};
