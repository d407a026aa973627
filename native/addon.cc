// native/addon.cc — module init: the addon's exports, nothing else.
#include <napi.h>

#include "fdpass.h"
#include "netns.h"
#include "openin.h"
#include "socket.h"
#include "tun.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("netlinkOpen", Napi::Function::New(env, NetlinkOpen, "netlinkOpen"));
  exports.Set("NetlinkSocket", NetlinkSocket::Init(env));
  exports.Set("netnsCreate", Napi::Function::New(env, NetnsCreate, "netnsCreate"));
  exports.Set("netnsOpen", Napi::Function::New(env, NetnsOpen, "netnsOpen"));
  exports.Set("netnsIdentity", Napi::Function::New(env, NetnsIdentity, "netnsIdentity"));
  exports.Set("netnsMount", Napi::Function::New(env, NetnsMount, "netnsMount"));
  exports.Set("netnsUnmount", Napi::Function::New(env, NetnsUnmount, "netnsUnmount"));
  exports.Set("socketIn", Napi::Function::New(env, SocketIn, "socketIn"));
  exports.Set("socketBind", Napi::Function::New(env, SocketBind, "socketBind"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("tunCreate", Napi::Function::New(env, TunCreate, "tunCreate"));
  exports.Set("openIn", Napi::Function::New(env, OpenIn, "openIn"));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair, "socketPair"));
  exports.Set("sendFds", Napi::Function::New(env, SendFds, "sendFds"));
  exports.Set("recvFds", Napi::Function::New(env, RecvFds, "recvFds"));
  return exports;
}

NODE_API_MODULE(rtnetlink, Init)
