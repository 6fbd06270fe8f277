// Shared by the libFuzzer targets: a property check that stays on in every
// build mode (assert() vanishes under NDEBUG, which RelWithDebInfo defines)
// and says which property failed before libFuzzer saves the crashing input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                             \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
