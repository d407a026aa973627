// native/openin.h — open(2) a path as seen from inside a network namespace.
#pragma once

#include <napi.h>

Napi::Value OpenIn(const Napi::CallbackInfo& info);
