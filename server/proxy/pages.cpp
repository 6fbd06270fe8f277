#include "proxy/pages.h"

#include "proxy/live_reload.h"

namespace devwatch::proxy {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

std::string response(int status, const std::string& type, const std::string& body, bool keep,
                     const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + status_text(status) + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nCache-Control: no-store\r\n" + extra +
         (keep ? "" : "Connection: close\r\n") + "\r\n" + body;
}

}  // namespace

std::string page_response(int status, const std::string& title, const Outage& o, bool keep) {
  std::string body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(o.server) + ": " +
                     escape(title) +
                     "</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:2em;color:#222}"
                     "code,pre{background:#f4f4f4;padding:.2em .4em}h1{font-size:1.3em}</style></head>\n<body>\n"
                     "<h1 id=\"devwatch-state\" data-state=\"" + escape(o.state) + "\">" + escape(o.server) + " is " +
                     escape(o.state) + "</h1>\n<p id=\"devwatch-reason\">" + escape(o.reason) + "</p>\n";
  if (!o.exception.empty()) body += "<pre id=\"devwatch-exception\">" + escape(o.exception) + "</pre>\n";
  if (!o.frame.empty()) body += "<p>at <code id=\"devwatch-frame\">" + escape(o.frame) + "</code></p>\n";
  body += "<p><small>devwatch proxy: this page reloads itself when " + escape(o.server) + " is ready.</small></p>\n";
  body += std::string(snippet()) + "</body></html>\n";
  return response(status, "text/html; charset=utf-8", body, keep);
}

std::string script_response(bool keep) {
  return response(200, "text/javascript; charset=utf-8", std::string(script()), keep);
}

std::string events_response_head() {
  // retry: how soon EventSource reconnects after devwatch itself restarts.
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
         "X-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 500\n\n";
}

std::string not_found_response(bool keep) {
  return response(404, "text/plain; charset=utf-8", "no such devwatch endpoint\n", keep);
}

std::string bad_request_response(const std::string& why) {
  return response(400, "text/plain; charset=utf-8", "devwatch proxy: " + why + "\n", false);
}

}  // namespace devwatch::proxy
