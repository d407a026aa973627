// native/blocks.cc — see blocks.h. Why: a burst of a dump is ~1 MiB; copying it
// into a new Buffer meant fresh memory for every burst, and the page faults of
// that memory cost a 4,000-link dump more than its decoding (perf record -e
// page-faults: 98 % in node::Buffer::Copy).
#include "blocks.h"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace {

constexpr size_t kSpareBlocks = 8;  // kept for reuse; more are freed

std::mutex poolMutex;
std::vector<Block*>& Pool() {
  static auto* pool = new std::vector<Block*>();  // never destroyed: finalizers may run at exit
  return *pool;
}

void FinalizeBlock(napi_env env, void* /*data*/, void* hint) {
  auto* block = static_cast<Block*>(hint);
  int64_t ignored;
  napi_adjust_external_memory(env, -static_cast<int64_t>(block->size), &ignored);
  GiveBackBlock(block);
}

}  // namespace

Block* TakeBlock(size_t size) {
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    auto& pool = Pool();
    for (size_t i = 0; i < pool.size(); i++) {
      if (pool[i]->size >= size) {
        Block* block = pool[i];
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(i));
        return block;
      }
    }
  }
  auto* data = static_cast<uint8_t*>(std::malloc(size));
  if (data == nullptr) return nullptr;
  return new Block{data, size};
}

void GiveBackBlock(Block* block) {
  if (block == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(poolMutex);
    if (Pool().size() < kSpareBlocks) {
      Pool().push_back(block);
      return;
    }
  }
  std::free(block->data);
  delete block;
}

napi_status BlockBuffer(napi_env env, Block* block, size_t length, napi_value* result) {
  napi_status status = napi_create_external_buffer(env, length, block->data, FinalizeBlock, block, result);
  if (status != napi_ok) {
    // A runtime that allows no external buffers (a V8 sandbox): copy instead.
    napi_value ignoredException;
    napi_get_and_clear_last_exception(env, &ignoredException);
    status = napi_create_buffer_copy(env, length, block->data, nullptr, result);
    GiveBackBlock(block);
    return status;
  }
  int64_t ignored;
  return napi_adjust_external_memory(env, static_cast<int64_t>(block->size), &ignored);
}
