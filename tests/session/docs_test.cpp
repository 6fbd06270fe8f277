// docs/protocol.md is the contract: every method the server registers must be
// documented there, so a new method cannot ship undocumented.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "session/recording_sink.h"
#include "session/server.h"

TEST_CASE("every registered method is documented in docs/protocol.md") {
  std::ifstream in(std::string(DEVWATCH_SOURCE_DIR) + "/docs/protocol.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();

  asio::io_context io;
  devwatch::testing::RecordingSink sink;
  devwatch::session::LspServer server(io, sink, {"test"});
  auto names = server.methods().request_names();
  auto notes = server.methods().notification_names();
  names.insert(names.end(), notes.begin(), notes.end());
  REQUIRE_FALSE(names.empty());
  for (const auto& name : names) {
    INFO("method " << name);
    CHECK(doc.find("`" + name) != std::string::npos);
  }
}
