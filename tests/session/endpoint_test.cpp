#include "session/endpoint.h"

#include <catch2/catch.hpp>

#include "session/recording_sink.h"

using namespace devwatch;
using namespace devwatch::session;
using devwatch::testing::body;
using devwatch::testing::RecordingSink;

namespace {

struct Fixture {
  RecordingSink sink;
  MethodTable methods;
  Endpoint endpoint{sink, methods};
  std::vector<Reply> parked;  // requests a test answers later
  std::vector<json> notes;

  Fixture() {
    methods.request("initialize", [](const json&, Reply r) { r(json::object()); });
    methods.request("echo", [](const json& p, Reply r) { r(p); });
    methods.request("park", [this](const json&, Reply r) { parked.push_back(std::move(r)); });
    methods.request("drop", [](const json&, Reply) {});
    methods.request("throw", [](const json&, Reply) -> void { throw std::runtime_error("boom"); });
    methods.request("twice", [](const json&, Reply r) {
      r(json(1));
      r(json(2));
    });
    methods.notification("note", [this](const json& p) { notes.push_back(p); });
    endpoint.lifecycle().on_initialized_reply();
  }
  void send(const json& m) { endpoint.on_frame(body(m)); }
  json request(int id, const std::string& method, json params = nullptr) {
    json m{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) m["params"] = params;
    send(m);
    auto out = sink.take();
    REQUIRE(out.size() == 1);
    return out[0];
  }
};

}  // namespace

TEST_CASE("a request is answered once with its id") {
  Fixture f;
  auto reply = f.request(1, "echo", json{{"x", 1}});
  REQUIRE(reply["id"] == 1);
  REQUIRE(reply["result"]["x"] == 1);
}

TEST_CASE("unknown methods, including $/ requests, are MethodNotFound") {
  Fixture f;
  REQUIRE(f.request(2, "nope")["error"]["code"] == -32601);
  REQUIRE(f.request(3, "$/unknownRequest")["error"]["code"] == -32601);
}

TEST_CASE("unknown notifications are ignored without a reply") {
  Fixture f;
  f.send(json{{"jsonrpc", "2.0"}, {"method", "$/unknown"}});
  f.send(json{{"jsonrpc", "2.0"}, {"method", "unknown/notification"}});
  REQUIRE(f.sink.sent.empty());
}

TEST_CASE("a handler that drops its reply answers InternalError") {
  Fixture f;
  REQUIRE(f.request(4, "drop")["error"]["code"] == -32603);
}

TEST_CASE("a handler that throws answers InternalError and the endpoint lives on") {
  Fixture f;
  REQUIRE(f.request(5, "throw")["error"]["code"] == -32603);
  REQUIRE(f.request(6, "echo", json::object())["id"] == 6);
}

TEST_CASE("replying twice sends one reply") {
  Fixture f;
  auto reply = f.request(7, "twice");
  REQUIRE(reply["result"] == 1);
  REQUIRE(f.sink.sent.empty());
}

TEST_CASE("$/cancelRequest answers a pending request with -32800 and drops the late reply") {
  Fixture f;
  f.send(json{{"jsonrpc", "2.0"}, {"id", "a"}, {"method", "park"}});
  REQUIRE(f.sink.sent.empty());
  f.send(json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", "a"}}}});
  auto out = f.sink.take();
  REQUIRE(out.size() == 1);
  REQUIRE(out[0]["id"] == "a");
  REQUIRE(out[0]["error"]["code"] == -32800);
  REQUIRE(f.parked.back().answered());
  f.parked.back()(json("late"));
  REQUIRE(f.sink.sent.empty());
}

TEST_CASE("cancelling an unknown or finished request does nothing") {
  Fixture f;
  f.request(8, "echo", json::object());
  f.send(json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", 8}}}});
  f.send(json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", 999}}}});
  f.send(json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", nullptr}}}});
  REQUIRE(f.sink.sent.empty());
}

TEST_CASE("a request reusing a pending id is rejected; 7 and \"7\" are different ids") {
  Fixture f;
  f.send(json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "park"}});
  REQUIRE(f.request(7, "echo", json::object())["error"]["code"] == -32600);
  f.send(json{{"jsonrpc", "2.0"}, {"id", "7"}, {"method", "echo"}});
  REQUIRE(f.sink.take().at(0)["id"] == "7");
}

TEST_CASE("framing errors answer -32700 with a null id; oversize answers -32600 with the sniffed id") {
  Fixture f;
  rpc::FrameEvent junk;
  junk.is_error = true;
  junk.error = rpc::FrameErrorKind::JunkLine;
  f.endpoint.on_frame(junk);
  auto out = f.sink.take();
  REQUIRE(out.at(0)["error"]["code"] == -32700);
  REQUIRE(out.at(0)["id"].is_null());
  rpc::FrameEvent big;
  big.is_error = true;
  big.error = rpc::FrameErrorKind::TooLarge;
  big.sniffed_id = "12";
  f.endpoint.on_frame(big);
  out = f.sink.take();
  REQUIRE(out.at(0)["error"]["code"] == -32600);
  REQUIRE(out.at(0)["id"] == 12);
}

TEST_CASE("requests to the client get their responses routed back") {
  Fixture f;
  json got;
  f.endpoint.request("window/workDoneProgress/create", json{{"token", "t"}},
                     [&](Result<json> r) { got = r ? r.value() : json("error"); });
  auto out = f.sink.take();
  REQUIRE(out.at(0)["method"] == "window/workDoneProgress/create");
  f.send(json{{"jsonrpc", "2.0"}, {"id", out[0]["id"]}, {"result", nullptr}});
  REQUIRE(got.is_null());
  // A response nobody waits for is ignored.
  f.send(json{{"jsonrpc", "2.0"}, {"id", 12345}, {"result", nullptr}});
  REQUIRE(f.sink.sent.empty());
}

TEST_CASE("before initialize: -32002 for requests, notifications dropped") {
  RecordingSink sink;
  MethodTable methods;
  int notes = 0;
  methods.request("x", [](const json&, Reply r) { r(json(1)); });
  methods.notification("n", [&](const json&) { ++notes; });
  Endpoint endpoint(sink, methods);
  endpoint.on_frame(body(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "x"}}));
  endpoint.on_frame(body(json{{"jsonrpc", "2.0"}, {"method", "n"}}));
  REQUIRE(sink.sent.size() == 1);
  REQUIRE(sink.sent[0]["error"]["code"] == -32002);
  REQUIRE(notes == 0);
}
