#include "rpc/message.h"

#include <catch2/catch.hpp>

using namespace devwatch;
using namespace devwatch::rpc;

TEST_CASE("requests, notifications and responses are told apart") {
  auto req = decode_message(R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}})");
  REQUIRE(req.ok());
  REQUIRE(req.message().kind == MessageKind::Request);
  REQUIRE(req.message().params["a"] == 1);
  auto note = decode_message(R"({"jsonrpc":"2.0","method":"n"})");
  REQUIRE(note.ok());
  REQUIRE(note.message().kind == MessageKind::Notification);
  REQUIRE(note.message().params.is_null());
  auto resp = decode_message(R"({"jsonrpc":"2.0","id":"x","result":null})");
  REQUIRE(resp.ok());
  REQUIRE(resp.message().kind == MessageKind::Response);
}

TEST_CASE("null params are absent params, for requests and notifications alike") {
  auto req = decode_message(R"({"jsonrpc":"2.0","id":1,"method":"shutdown","params":null})");
  REQUIRE(req.ok());
  CHECK(req.message().kind == MessageKind::Request);
  CHECK(req.message().params.is_null());
  auto note = decode_message(R"({"jsonrpc":"2.0","method":"exit","params":null})");
  REQUIRE(note.ok());
  CHECK(note.message().kind == MessageKind::Notification);
}

TEST_CASE("malformed JSON is a parse error with a null id") {
  for (std::string body : {"{", "", "nul", "{\"a\":}", "\xff\xfe"}) {
    auto d = decode_message(body);
    REQUIRE_FALSE(d.ok());
    REQUIRE(d.failure().error.code == ErrorCode::ParseError);
    REQUIRE(d.failure().id.is_null());
  }
}

TEST_CASE("invalid requests are -32600 and keep the id when it is valid") {
  struct Case { const char* body; bool has_id; };
  const Case cases[] = {
      {R"([{"jsonrpc":"2.0","id":1,"method":"m"}])", false},  // batch
      {R"("just a string")", false},
      {R"({"jsonrpc":"1.0","id":3,"method":"m"})", true},
      {R"({"id":3,"method":"m"})", true},
      {R"({"jsonrpc":"2.0","id":null,"method":"m"})", false},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"m"})", false},
      {R"({"jsonrpc":"2.0","id":true,"method":"m"})", false},
      {R"({"jsonrpc":"2.0","id":{},"method":"m"})", false},
      {R"({"jsonrpc":"2.0","id":3,"method":7})", true},
      {R"({"jsonrpc":"2.0","id":3,"method":"m","params":"s"})", true},
      {R"({"jsonrpc":"2.0"})", false},
      {R"({"jsonrpc":"2.0","id":3})", true},
      {R"({"jsonrpc":"2.0","id":3,"result":1,"error":{}})", true},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto d = decode_message(c.body);
    REQUIRE_FALSE(d.ok());
    REQUIRE(d.failure().error.code == ErrorCode::InvalidRequest);
    REQUIRE(d.failure().id.is_null() == !c.has_id);
  }
}

TEST_CASE("errors are encoded in one place with code, message and data") {
  Error e = make_error(ErrorCode::UnknownServer, "no server named 'x'");
  e.data_json = R"({"known":["web"]})";
  auto j = encode_error(7, e);
  REQUIRE(j["id"] == 7);
  REQUIRE(j["error"]["code"] == 1101);
  REQUIRE(j["error"]["message"] == "no server named 'x'");
  REQUIRE(j["error"]["data"]["known"][0] == "web");
}

TEST_CASE("frames carry the byte length and never throw on invalid UTF-8") {
  auto bytes = frame(encode_notification("n", json{{"s", std::string("bad \xff byte")}}));
  auto sep = bytes.find("\r\n\r\n");
  REQUIRE(sep != std::string::npos);
  auto length = std::stoul(bytes.substr(16, sep - 16));
  REQUIRE(length == bytes.size() - sep - 4);
}
