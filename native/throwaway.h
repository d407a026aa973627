// native/throwaway.h — the only way any thread of ours changes namespace: a thread made for one job.
#pragma once

#include <functional>

// Runs fn on a new thread and joins it at once. Whatever namespace the thread
// entered dies with it, so neither the JS thread nor a libuv pool thread ever
// changes namespace. Returns fn's result, or -errno if no thread could be made.
int OnThrowawayThread(std::function<int()> fn);

// OnThrowawayThread, with the thread first entering the network namespace nsFd
// (setns(2)); nsFd = -1 runs fn on the calling thread, which changes nothing.
int InNetworkNamespace(int nsFd, std::function<int()> fn);
