// Includes standalone asio for the watch module. GCC 12 at -O2 reports a
// false -Wnull-dereference inside asio's scheduler (thread_call_stack lookup
// inlined into our handlers); the pragma limits the silencing to asio's own
// lines, so our code keeps the warning.
// Threading: n/a.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <asio.hpp>
#pragma GCC diagnostic pop
