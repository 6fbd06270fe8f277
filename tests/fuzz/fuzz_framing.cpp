// Fuzzes rpc::FrameReader, the first code every byte from the editor meets.
// Input: one control byte choosing small limits, then the stream. The stream
// is fed twice, once whole and once in pieces whose sizes the fuzzer picks;
// both must give the same events (the reader is incremental, so how the
// bytes were split must never change what they mean). No body may exceed
// the limit, and a frame built by rpc::frame() after the stream still comes
// out whole once the reader has resynchronised.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "rpc/framing.h"

using devwatch::rpc::FrameEvent;
using devwatch::rpc::FrameLimits;
using devwatch::rpc::FrameReader;

namespace {

bool same(const FrameEvent& a, const FrameEvent& b) {
  return a.is_error == b.is_error && a.body == b.body && a.error == b.error && a.detail == b.detail &&
         a.sniffed_id == b.sniffed_id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  FrameLimits limits;
  // Small limits most of the time so TooLarge and HeaderTooLong are reachable.
  if (in.ConsumeBool()) {
    limits.max_content_length = in.ConsumeIntegralInRange<std::size_t>(0, 300);
    limits.max_header_line = in.ConsumeIntegralInRange<std::size_t>(1, 300);
  }
  // Split sizes come from the front so the stream itself stays readable text.
  std::vector<std::size_t> splits;
  std::size_t n_splits = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  for (std::size_t i = 0; i < n_splits; ++i) splits.push_back(in.ConsumeIntegralInRange<std::size_t>(1, 64));
  const std::string stream = in.ConsumeRemainingBytesAsString();

  FrameReader whole(limits);
  std::vector<FrameEvent> whole_events;
  whole.feed(stream, whole_events);

  FrameReader pieces(limits);
  std::vector<FrameEvent> piece_events;
  std::string_view rest = stream;
  for (std::size_t i = 0; !rest.empty(); ++i) {
    std::size_t take = splits.empty() ? 1 : splits[i % splits.size()];
    take = std::min(take, rest.size());
    pieces.feed(rest.substr(0, take), piece_events);
    rest.remove_prefix(take);
  }

  FUZZ_CHECK(whole_events.size() == piece_events.size());
  for (std::size_t i = 0; i < whole_events.size(); ++i) FUZZ_CHECK(same(whole_events[i], piece_events[i]));
  FUZZ_CHECK(whole.mid_message() == pieces.mid_message());
  FUZZ_CHECK(whole.describe_partial() == pieces.describe_partial());
  for (const auto& e : whole_events) {
    if (!e.is_error) FUZZ_CHECK(e.body.size() <= limits.max_content_length);
    if (e.is_error) FUZZ_CHECK(!e.detail.empty());
  }

  // Resynchronisation: whatever came before, once a partial body or skip is
  // completed and a blank line ends any header block, a good frame reads whole.
  if (!whole.mid_message() && limits.max_content_length >= 2 && limits.max_header_line >= 20) {
    std::vector<FrameEvent> after;
    whole.feed("\r\nContent-Length: 2\r\n\r\n{}", after);
    FUZZ_CHECK(!after.empty());
    FUZZ_CHECK(!after.back().is_error && after.back().body == "{}");
  }
  return 0;
}
