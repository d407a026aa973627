// native/blocks.h — receive blocks: memory a read-ahead burst is read into and
// then handed to JS as a Buffer without a copy; a block comes back for reuse
// when its Buffer is collected.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

struct Block {
  uint8_t* data;
  size_t size;
};

// A block of at least `size` bytes: a reused one if any is big enough.
Block* TakeBlock(size_t size);

// Back to the pool (or freed, past a few spare ones). Any thread.
void GiveBackBlock(Block* block);

// A Buffer over block->data[0, length) that owns the block from now on: it
// returns to the pool when the Buffer is collected. V8 is told of the size,
// so retained blocks weigh on its GC heuristics like ordinary Buffers.
napi_status BlockBuffer(napi_env env, Block* block, size_t length, napi_value* result);
