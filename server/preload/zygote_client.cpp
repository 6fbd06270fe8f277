#include "preload/zygote_client.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace devwatch::preload {
namespace {

constexpr const char* kProtocol = "devwatch-preload-1";

std::string errno_reason(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void append_field(std::string& body, const std::string& field) {
  body += field;
  body.push_back('\0');
}

// One line (up to '\n') within the socket's receive timeout.
bool read_line(int fd, std::string& line) {
  line.clear();
  char c = 0;
  while (line.size() < 2048) {
    ssize_t n = recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') return true;
    line.push_back(c);
  }
  return false;
}

bool send_request(int fd, const std::string& body) {
  std::string frame(4, '\0');
  const uint32_t size = static_cast<uint32_t>(body.size());
  frame[0] = static_cast<char>(size >> 24);
  frame[1] = static_cast<char>(size >> 16);
  frame[2] = static_cast<char>(size >> 8);
  frame[3] = static_cast<char>(size);
  frame += body;
  // Our stdin, stdout and stderr become the child's (SCM_RIGHTS).
  int fds[3] = {0, 1, 2};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec iov{frame.data(), frame.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(cm), fds, sizeof fds);
  ssize_t n = 0;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  size_t sent = static_cast<size_t>(n);
  while (sent < frame.size()) {
    n = send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ZygoteAnswer fork_via_zygote(const std::string& socket_path, char* const* argv, char* const* envp) {
  ZygoteAnswer out;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    out.reason = "the zygote's socket path is too long: " + socket_path;
    return out;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    out.reason = errno_reason("cannot create a socket for the zygote");
    return out;
  }
  // A zygote that hangs must not hang the start: after this the start is cold.
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    out.reason = errno_reason(("the zygote is not reachable at " + socket_path).c_str());
    close(fd);
    return out;
  }
  std::string body;
  append_field(body, kProtocol);
  char cwd[4096];
  append_field(body, getcwd(cwd, sizeof cwd) != nullptr ? cwd : "");
  std::vector<std::string> args;
  for (char* const* a = argv; *a != nullptr; ++a) args.emplace_back(*a);
  append_field(body, std::to_string(args.size()));
  for (const auto& a : args) append_field(body, a);
  std::vector<std::string> env;
  for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  append_field(body, std::to_string(env.size()));
  for (const auto& e : env) append_field(body, e);
  std::string line;
  if (!send_request(fd, body) || !read_line(fd, line)) {
    out.reason = "the zygote did not answer (it ended or hung for 5 s)";
    close(fd);
    return out;
  }
  if (line.rfind("pid ", 0) != 0) {
    out.reason = line;  // "stale <reason>" or "refused <reason>"
    close(fd);
    return out;
  }
  const pid_t pid = static_cast<pid_t>(std::strtol(line.c_str() + 4, nullptr, 10));
  const int pidfd = pid > 0 ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
  if (pidfd < 0) {
    // Without a pidfd we could not tell when it ends; closing the connection
    // makes the waiting child exit without running anything.
    out.reason = errno_reason("cannot watch the forked child (pidfd_open)");
    close(fd);
    return out;
  }
  const char go = 'g';
  if (send(fd, &go, 1, MSG_NOSIGNAL) != 1) {
    out.reason = errno_reason("cannot tell the forked child to start");
    close(pidfd);
    close(fd);
    return out;
  }
  out.child = ZygoteChild{pid, pidfd, fd};
  return out;
}

bool read_exit_status(int conn, std::string& buffer, std::optional<int>& status) {
  char chunk[256];
  ssize_t n = recv(conn, chunk, sizeof chunk, MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return false;
  if (n <= 0) return true;
  buffer.append(chunk, static_cast<size_t>(n));
  size_t eol = buffer.find('\n');
  if (eol != std::string::npos && buffer.rfind("exit ", 0) == 0) {
    status = static_cast<int>(std::strtol(buffer.c_str() + 5, nullptr, 10));
    return true;
  }
  return eol != std::string::npos;  // anything else ends the conversation
}

}  // namespace devwatch::preload
