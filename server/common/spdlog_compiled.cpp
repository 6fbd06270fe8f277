// spdlog and fmt, compiled once for a static devwatch.
//
// Debian ships both only as shared objects. Used header-only instead, every
// translation unit that logs would compile spdlog's and fmt's implementation
// again (about 8 s of g++ time each, measured on a trivial file). So the
// static build defines SPDLOG_COMPILED_LIB for everyone (the declarations
// only) and compiles the implementation here, once: the -inl.h files and the
// instantiations of the templates devwatch uses, which spdlog's and fmt's own
// library builds would otherwise provide.
#ifndef SPDLOG_COMPILED_LIB
#error "spdlog_compiled.cpp is only built with DEVWATCH_STATIC (SPDLOG_COMPILED_LIB)"
#endif

#include <mutex>

#include <fmt/format-inl.h>
#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/file_helper-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/basic_file_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

// The sinks devwatch builds (common/log.cpp) and the bases of its own.
template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::basic_file_sink<std::mutex>;
template class spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>;
template class spdlog::sinks::stderr_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::stdout_sink<spdlog::details::console_mutex>;
// The registry's initial default logger, before init_logging replaces it.
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stderr_sink<spdlog::details::console_mutex>;

// What fmt's own format.cc instantiates for the char paths format.h declares
// extern (locale-dependent digit grouping and decimal point).
template auto fmt::detail::thousands_sep_impl<char>(fmt::detail::locale_ref)
    -> fmt::detail::thousands_sep_result<char>;
template auto fmt::detail::decimal_point_impl<char>(fmt::detail::locale_ref) -> char;
