#include <catch2/catch.hpp>

#include "proxy/http_head.h"

using namespace devwatch::proxy;

TEST_CASE("head_size finds the blank line, with CRLF or bare LF, after leading CRLFs") {
  CHECK_FALSE(head_size("GET / HTTP/1.1\r\nHost: x\r\n").has_value());
  CHECK(head_size("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody") == std::size_t{27});
  CHECK(head_size("GET / HTTP/1.1\nHost: x\n\nbody") == std::size_t{24});
  CHECK(head_size("\r\nGET / HTTP/1.1\r\n\r\n") == std::size_t{20});
}

TEST_CASE("a request head parses into method, target, version and headers") {
  auto head = parse_request_head("GET /a?b=1 HTTP/1.1\r\nHost: localhost\r\nX-Long:  spaced value \r\n\r\n");
  REQUIRE(head);
  CHECK(head->method == "GET");
  CHECK(head->target == "/a?b=1");
  CHECK(head->version == "HTTP/1.1");
  REQUIRE(head->find("x-long"));
  CHECK(*head->find("x-long") == "spaced value");
  CHECK(head->serialize() == "GET /a?b=1 HTTP/1.1\r\nHost: localhost\r\nX-Long: spaced value\r\n\r\n");
}

TEST_CASE("malformed request heads are errors that say what is wrong") {
  CHECK_FALSE(parse_request_head("GET /\r\n\r\n"));
  CHECK_FALSE(parse_request_head("GET / HTTP/2.0\r\n\r\n"));
  CHECK_FALSE(parse_request_head("GET / HTTP/1.1\r\nNo colon here\r\n\r\n"));
  CHECK_FALSE(parse_request_head("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"));
  auto folded = parse_request_head("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
  REQUIRE_FALSE(folded);
  CHECK(folded.error().message.find("folding") != std::string::npos);
}

TEST_CASE("request framing: chunked wins, length, none; bad lengths refused") {
  auto framing = [](const char* text) { return request_framing(*parse_request_head(text)); };
  CHECK(framing("GET / HTTP/1.1\r\n\r\n")->kind == BodyKind::None);
  auto len = framing("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n");
  CHECK(len->kind == BodyKind::Length);
  CHECK(len->length == 12);
  CHECK(framing("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")->kind ==
        BodyKind::Chunked);
  CHECK_FALSE(framing("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"));
  CHECK_FALSE(framing("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
  CHECK_FALSE(framing("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"));
}

TEST_CASE("response framing: HEAD, 1xx, 204 and 304 have no body; otherwise until close without a length") {
  auto head = [](const char* text) { return *parse_response_head(text); };
  CHECK(response_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "HEAD")->kind == BodyKind::None);
  CHECK(response_framing(head("HTTP/1.1 204 No Content\r\n\r\n"), "GET")->kind == BodyKind::None);
  CHECK(response_framing(head("HTTP/1.1 304 Not Modified\r\n\r\n"), "GET")->kind == BodyKind::None);
  CHECK(response_framing(head("HTTP/1.1 200 OK\r\n\r\n"), "GET")->kind == BodyKind::UntilClose);
  CHECK(response_framing(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "GET")->length == 5);
}

TEST_CASE("status lines parse, and keep-alive follows the version and Connection tokens") {
  auto r = parse_response_head("HTTP/1.0 503 Service Unavailable\r\nConnection: Keep-Alive\r\n\r\n");
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->reason == "Service Unavailable");
  CHECK(keep_alive(*r));
  CHECK_FALSE(parse_response_head("HTTP/1.1 20 OK\r\n\r\n"));
  CHECK_FALSE(keep_alive(*parse_response_head("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n\r\n")));
  CHECK_FALSE(keep_alive(*parse_response_head("HTTP/1.0 200 OK\r\n\r\n")));
  CHECK(keep_alive(*parse_response_head("HTTP/1.1 200 OK\r\n\r\n")));
}
