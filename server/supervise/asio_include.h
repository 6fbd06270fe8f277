// Includes standalone asio for this module. GCC 12 reports a false "potential
// null pointer dereference" inside asio's epoll reactor (its thread_info
// lookup) in every file that instantiates asio's I/O, and the warning lands on
// the file that inlined it. The diagnostic is switched off here, for files that
// include asio through this header only; devwatch's own code is covered by
// the other warnings. (Better placed on devwatch::asio one day.)
// Threading: n/a.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <asio.hpp>
