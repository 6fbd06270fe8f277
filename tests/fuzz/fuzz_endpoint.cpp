// Fuzzes the JSON-RPC layer as the editor drives it: bytes -> FrameReader ->
// session::Endpoint (lifecycle gate, pending table, $/cancelRequest, replies)
// with a few registered methods and an in-memory sink. Kept thin on purpose:
// it uses only Endpoint, MethodTable, Lifecycle and Reply, not the server's
// features, so it survives the session refactoring.
// Invariants checked:
//  - everything written is a JSON-RPC 2.0 object that rpc::frame() frames and
//    FrameReader reads back as exactly one message with the same members and
//    id ("nothing but frames");
//  - one reply per request: at the end, the replies carrying id X number
//    exactly the requests (and undecodable messages with a readable id) the
//    client sent with id X; never more at any point;
//  - lifecycle: nothing but initialize is served before initialize succeeded.
#include <fuzzer/FuzzedDataProvider.h>

#include <spdlog/spdlog.h>

#include <map>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "rpc/framing.h"
#include "rpc/message.h"
#include "session/endpoint.h"

using namespace devwatch;
using devwatch::session::Endpoint;
using devwatch::session::MethodTable;
using devwatch::session::Reply;

namespace {

struct CheckingSink : rpc::Sink {
  std::map<std::string, int> replies;  // by id text
  int null_id_errors = 0;
  void send(const json& message) override {
    FUZZ_CHECK(message.is_object());
    FUZZ_CHECK(message.value("jsonrpc", "") == "2.0");
    const std::string framed = rpc::frame(message);
    rpc::FrameReader reader;
    std::vector<rpc::FrameEvent> events;
    reader.feed(framed, events);
    FUZZ_CHECK(events.size() == 1 && !events[0].is_error && !reader.mid_message());
    // Read back, it is the same message. (Strings are compared only through
    // the id: dump_json replaces invalid UTF-8 quoted from a bad frame.)
    auto back = parse_json(events[0].body);
    FUZZ_CHECK(back && back->is_object() && back->size() == message.size());
    FUZZ_CHECK(back->value("id", json()) == message.value("id", json()));
    if (message.contains("method")) return;  // a notification or a request to the client
    FUZZ_CHECK(message.contains("id"));
    FUZZ_CHECK(message.contains("result") != message.contains("error"));
    if (message["id"].is_null()) {
      FUZZ_CHECK(message.contains("error"));
      ++null_id_errors;
    } else {
      ++replies[rpc::id_text(message["id"])];
    }
  }
  std::size_t pending_bytes() const override { return 0; }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CheckingSink sink;
  MethodTable methods;
  std::map<std::string, int> expected;  // requests the client sent, by id text
  {
    Endpoint endpoint(sink, methods);
    std::vector<Reply> parked;  // destroyed before the endpoint: answered InternalError
    bool initialized = false;
    methods.request("initialize", [&](const json&, Reply r) {
      initialized = true;
      endpoint.lifecycle().on_initialized_reply();
      r(json{{"capabilities", json::object()}});
    });
    methods.request("shutdown", [&](const json&, Reply r) {
      FUZZ_CHECK(initialized);
      endpoint.lifecycle().on_shutdown();
      r(json(nullptr));
    });
    methods.request("echo", [&](const json& p, Reply r) {
      FUZZ_CHECK(initialized);
      r(p);
    });
    methods.request("park", [&](const json&, Reply r) { parked.push_back(std::move(r)); });
    methods.request("drop", [](const json&, Reply) {});
    methods.request("throw", [](const json&, Reply) -> void { throw std::runtime_error("boom"); });
    methods.request("twice", [](const json&, Reply r) {
      r(json(1));
      r(json(2));
    });
    methods.request("ask", [&](const json& p, Reply r) {
      endpoint.request("client/ask", p, [](Result<json>) {});
      r(json(nullptr));
    });
    methods.notification("release", [&](const json&) {
      for (auto& r : parked) r(json("released"));
      parked.clear();
    });
    methods.notification("exit", [](const json&) {});

    rpc::FrameReader reader;
    FuzzedDataProvider in(data, size);
    while (in.remaining_bytes() > 0) {
      const std::string chunk = in.ConsumeRandomLengthString(256);
      std::vector<rpc::FrameEvent> events;
      reader.feed(chunk, events);
      for (auto& event : events) {
        if (!event.is_error) {
          auto decoded = rpc::decode_message(event.body);
          if (decoded.ok() && decoded.message().kind == rpc::MessageKind::Request) {
            ++expected[rpc::id_text(decoded.message().id)];
          } else if (!decoded.ok() && !decoded.failure().id.is_null()) {
            ++expected[rpc::id_text(decoded.failure().id)];
          }
        } else if (event.error == rpc::FrameErrorKind::TooLarge && event.sniffed_id) {
          if (auto id = parse_json(*event.sniffed_id); id && !id->is_null()) ++expected[rpc::id_text(*id)];
        }
        endpoint.on_frame(std::move(event));
        for (const auto& [id, n] : sink.replies) FUZZ_CHECK(n <= expected[id]);
      }
    }
  }
  // Every request answered exactly once, parked ones included.
  for (const auto& [id, n] : expected) FUZZ_CHECK(sink.replies[id] == n);
  for (const auto& [id, n] : sink.replies) FUZZ_CHECK(expected[id] == n);
  return 0;
}
