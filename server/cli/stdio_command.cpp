#include "cli/stdio_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include <asio.hpp>
#include <spdlog/spdlog.h>

#include "common/version.h"
#include "rpc/transport.h"
#include "session/server.h"

namespace devwatch::cli {

void guard_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1) continue;
    int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null_fd >= 0 && null_fd != fd) {
      ::dup2(null_fd, fd);
      ::close(null_fd);
    }
  }
}

int run_stdio(const Options& options) {
  // stdout belongs to the protocol: keep a private copy for it and point fd
  // 1 at stderr, so a stray write from anywhere can never corrupt a frame.
  int protocol_out = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (protocol_out < 0) {
    spdlog::error("cannot duplicate stdout: {}", std::strerror(errno));
    return 1;
  }
  ::dup2(STDERR_FILENO, STDOUT_FILENO);

  asio::io_context io;
  int exit_code = 1;
  rpc::FrameLimits limits;
  limits.max_content_length = options.max_message_bytes;

  session::LspServer* server_ptr = nullptr;
  rpc::StdioTransport transport(io, STDIN_FILENO, protocol_out, limits,
                                rpc::TransportEvents{
                                    [&](rpc::FrameEvent event) { server_ptr->on_frame(std::move(event)); },
                                    [&](const std::string& reason) { server_ptr->stop(reason); },
                                });
  ::close(protocol_out);  // the transport holds its own duplicate
  session::LspServer server(io, transport, session::ServerOptions{DEVWATCH_VERSION});
  server_ptr = &server;
  // Outlives io.run(): a timer destroyed while waiting would cancel the wait
  // and end the loop before the last replies are written.
  asio::steady_timer drain_deadline(io);
  server.on_exit = [&](int code) {
    exit_code = code;
    transport.stop_reading();
    // Let the last replies reach the client, but never hang on a client
    // that stopped reading.
    drain_deadline.expires_after(std::chrono::seconds(2));
    drain_deadline.async_wait([&io](const asio::error_code& ec) {
      if (ec) return;
      spdlog::warn("client did not read the last messages within 2 s; exiting anyway");
      io.stop();
    });
    transport.when_drained([&io] { io.stop(); });
  };

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([&](const asio::error_code& ec, int signo) {
    if (!ec) server.stop(std::string("received ") + ::strsignal(signo));
  });

  transport.start();
  spdlog::debug("devwatch {} serving on stdio (pid {})", DEVWATCH_VERSION, ::getpid());
  io.run();
  return exit_code;
}

}  // namespace devwatch::cli
