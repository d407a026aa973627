// native/throwaway.cc — threads made for one namespace-changing job and joined at once.
#include "throwaway.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <utility>

namespace {

struct ThreadJob {
  std::function<int()> fn;
  int result = -EINTR;
};

void* RunThreadJob(void* arg) {
  auto* job = static_cast<ThreadJob*>(arg);
  job->result = job->fn();
  return nullptr;  // the thread, and any namespace it entered, end here
}

}  // namespace

// pthread rather than std::thread: without C++ exceptions a failed std::thread
// constructor aborts, pthread_create returns an error. Signals are blocked on
// the thread so none is delivered to it.
int OnThrowawayThread(std::function<int()> fn) {
  ThreadJob job{std::move(fn)};
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  int err = pthread_create(&thread, nullptr, RunThreadJob, &job);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) return -err;
  pthread_join(thread, nullptr);
  return job.result;
}

int InNetworkNamespace(int nsFd, std::function<int()> fn) {
  if (nsFd == -1) return fn();
  return OnThrowawayThread([nsFd, &fn]() {
    if (setns(nsFd, CLONE_NEWNET) < 0) return -errno;
    return fn();
  });
}
